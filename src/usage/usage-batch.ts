import type { ApiUse, AuditIdentity, Permission } from './audit-event.js';

/**
 * Who a use is recorded for, as text: `user:NAME` (the username as the apiserver saw it, so a
 * ServiceAccount is `user:system:serviceaccount:NS:NAME`), `group:NAME`, `iam:ARN`.
 */
export type SubjectKey = `user:${string}` | `group:${string}` | `iam:${string}`;

/** One subject × permission, summed over the events of a batch. */
export interface PermissionTally {
  readonly subject: SubjectKey;
  readonly permission: Permission;
  first: number;
  last: number;
  count: number;
}

/** A group or IAM ARN seen with a username. */
export interface IdentityTally {
  readonly subject: SubjectKey;
  readonly kind: 'group' | 'iam';
  readonly value: string;
  first: number;
  last: number;
}

// Fields never hold control characters (the parser refuses them), so this cannot be forged.
const separator = '\u001f';

/** A permission as one string: every field, in order. */
export function permissionKey(permission: Permission): string {
  return `${permission.verb}${separator}${permission.apiGroup}${separator}${permission.resource}${separator}${permission.subresource}${separator}${permission.namespace}${separator}${permission.name}${separator}${permission.nonResourceUrl}`;
}

/** The store key of a permission tally: subject and every permission field. */
export function tallyKey(subject: string, permission: Permission): string {
  return `${subject}${separator}${permissionKey(permission)}`;
}

// Added by the apiserver to every impersonated user: no `impersonate` permission is checked for them.
const automaticGroups = /^system:(authenticated|serviceaccounts(:.*)?)$/;

interface Use {
  readonly permission: Permission;
  first: number;
  last: number;
  count: number;
}

/** A batch as plain data (structured-clone safe). */
export interface BatchState {
  readonly events: number;
  readonly identities: readonly {
    readonly identity: AuditIdentity;
    readonly first: number;
    readonly last: number;
    readonly uses: readonly Use[];
  }[];
}

/** One identity (username, groups, ARN) and the permissions it used. */
interface IdentityUses {
  readonly identity: AuditIdentity;
  first: number;
  last: number;
  readonly uses: Map<string, Use>;
}

/**
 * Uses summed in memory between two writes to the store: a million events become a few thousand
 * rows. Each event is summed once, under its identity (username with its groups and ARN); only
 * `tallies()` spreads each identity's sums over its user, groups and ARN.
 */
export class UsageBatch {
  private readonly identities = new Map<string, IdentityUses>();
  events = 0;
  /** Distinct identity × permission sums held. */
  size = 0;

  add(use: ApiUse): void {
    this.events++;
    this.record(use.identity, use.permission, use.at);
    if (use.impersonator) {
      for (const permission of impersonations(use.identity))
        this.record(use.impersonator, permission, use.at);
    }
  }

  /** Adds `count` uses of `permission` at `at` (count 0: only widens the times). */
  private record(identity: AuditIdentity, permission: Permission | undefined, at: number, count = 1): void {
    const signature = `${identity.username}${separator}${identity.iamArn ?? ''}${separator}${identity.groups.join(separator)}`;
    let entry = this.identities.get(signature);
    if (!entry) {
      entry = { identity, first: at, last: at, uses: new Map() };
      this.identities.set(signature, entry);
    } else {
      if (at < entry.first) entry.first = at;
      if (at > entry.last) entry.last = at;
    }
    if (!permission) return;
    const key = permissionKey(permission);
    const found = entry.uses.get(key);
    if (found) {
      found.count += count;
      if (at < found.first) found.first = at;
      if (at > found.last) found.last = at;
    } else {
      entry.uses.set(key, { permission, first: at, last: at, count });
      this.size++;
    }
  }

  /** The sums as plain data, to cross from a parsing worker to the ingest. */
  state(): BatchState {
    return {
      events: this.events,
      identities: [...this.identities.values()].map(({ identity, first, last, uses }) => ({
        identity,
        first,
        last,
        uses: [...uses.values()],
      })),
    };
  }

  /** Adds another batch's sums (a worker's). */
  absorb(state: BatchState): void {
    this.events += state.events;
    for (const { identity, first, last, uses } of state.identities) {
      for (const use of uses) {
        this.record(identity, use.permission, use.first, use.count);
        if (use.last !== use.first) this.record(identity, use.permission, use.last, 0);
      }
      this.record(identity, undefined, first, 0);
      this.record(identity, undefined, last, 0);
    }
  }

  /** The sums per subject (user, each group, ARN) and the groups and ARNs seen with each user. */
  tallies(): { permissions: PermissionTally[]; identities: IdentityTally[] } {
    const permissions = new Map<string, PermissionTally>();
    const identities = new Map<string, IdentityTally>();
    for (const { identity, first, last, uses } of this.identities.values()) {
      const user: SubjectKey = `user:${identity.username}`;
      const subjects: SubjectKey[] = [user, ...identity.groups.map((group) => `group:${group}` as const)];
      if (identity.iamArn) subjects.push(`iam:${identity.iamArn}`);
      for (const subject of subjects)
        for (const [key, use] of uses)
          merge(permissions, `${subject}${separator}${key}`, { subject, ...use });
      const seen = [
        ...identity.groups.map((value) => ({ kind: 'group' as const, value })),
        ...(identity.iamArn ? [{ kind: 'iam' as const, value: identity.iamArn }] : []),
      ];
      for (const { kind, value } of seen)
        merge(identities, `${user}${separator}${kind}${separator}${value}`, {
          subject: user,
          kind,
          value,
          first,
          last,
        });
    }
    return { permissions: [...permissions.values()], identities: [...identities.values()] };
  }
}

function merge<T extends { first: number; last: number; count?: number }>(
  map: Map<string, T>,
  key: string,
  tally: T,
): void {
  const found = map.get(key);
  if (!found) {
    map.set(key, { ...tally });
    return;
  }
  if (tally.first < found.first) found.first = tally.first;
  if (tally.last > found.last) found.last = tally.last;
  if (found.count !== undefined && tally.count !== undefined) found.count += tally.count;
}

/** What an impersonator was allowed to do to act as `identity` (RBAC `impersonate` checks). */
function impersonations(identity: AuditIdentity): Permission[] {
  const base = { verb: 'impersonate', apiGroup: '', subresource: '', nonResourceUrl: '' };
  const serviceAccount = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(identity.username);
  const asUser = serviceAccount
    ? { ...base, resource: 'serviceaccounts', namespace: serviceAccount[1]!, name: serviceAccount[2]! }
    : { ...base, resource: 'users', namespace: '', name: identity.username };
  const groups = identity.groups
    .filter((group) => !automaticGroups.test(group))
    .map((group) => ({ ...base, resource: 'groups', namespace: '', name: group }));
  return [asUser, ...groups];
}
