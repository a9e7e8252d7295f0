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

/** The store key of a permission tally: subject and every permission field. */
export function tallyKey(subject: string, permission: Permission): string {
  return [
    subject,
    permission.verb,
    permission.apiGroup,
    permission.resource,
    permission.subresource,
    permission.namespace,
    permission.name,
    permission.nonResourceUrl,
  ].join(separator);
}

// Added by the apiserver to every impersonated user: no `impersonate` permission is checked for them.
const automaticGroups = /^system:(authenticated|serviceaccounts(:.*)?)$/;

/**
 * Uses summed in memory between two writes to the store: a million events become a few thousand
 * rows, and memory holds one row per distinct subject × permission of the batch.
 */
export class UsageBatch {
  readonly permissions = new Map<string, PermissionTally>();
  readonly identities = new Map<string, IdentityTally>();
  events = 0;

  add(use: ApiUse): void {
    this.events++;
    this.record(use.identity, use.permission, use.at);
    if (use.impersonator) {
      for (const permission of impersonations(use.identity))
        this.record(use.impersonator, permission, use.at);
    }
  }

  get size(): number {
    return this.permissions.size + this.identities.size;
  }

  private record(identity: AuditIdentity, permission: Permission, at: number): void {
    const user: SubjectKey = `user:${identity.username}`;
    this.tally(user, permission, at);
    for (const group of identity.groups) {
      this.tally(`group:${group}`, permission, at);
      this.see(user, 'group', group, at);
    }
    if (identity.iamArn) {
      this.tally(`iam:${identity.iamArn}`, permission, at);
      this.see(user, 'iam', identity.iamArn, at);
    }
  }

  private tally(subject: SubjectKey, permission: Permission, at: number): void {
    const key = tallyKey(subject, permission);
    const found = this.permissions.get(key);
    if (found) {
      found.count++;
      if (at < found.first) found.first = at;
      if (at > found.last) found.last = at;
    } else {
      this.permissions.set(key, { subject, permission, first: at, last: at, count: 1 });
    }
  }

  private see(subject: SubjectKey, kind: 'group' | 'iam', value: string, at: number): void {
    const key = `${subject}${separator}${kind}${separator}${value}`;
    const found = this.identities.get(key);
    if (found) {
      if (at < found.first) found.first = at;
      if (at > found.last) found.last = at;
    } else {
      this.identities.set(key, { subject, kind, value, first: at, last: at });
    }
  }
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
