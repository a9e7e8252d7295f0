import { describeRule, type PolicyRule, type SubjectRef } from '../rbac/index.js';
import {
  type GrantScope,
  smallerRole,
  type UsedPermission,
  unusedGrants,
  type WindowUsage,
} from '../usage/index.js';
import type { frozenSnapshot } from './revocations.js';
import type { ReviewItem, ReviewSubject, UsageSummary } from './types.js';

/** A frozen snapshot's roles by `ClusterRole/NAME` and `Role/NS/NAME`. */
export type RoleRules = ReadonlyMap<string, readonly PolicyRule[]>;

/** The grant's rules and where they apply. */
export interface GrantRules {
  readonly rules: readonly PolicyRule[];
  readonly scope: GrantScope;
}

export function subjectRefOf(subject: ReviewSubject): SubjectRef {
  switch (subject.kind) {
    case 'User':
      return { kind: 'user', name: subject.name };
    case 'Group':
      return { kind: 'group', name: subject.name };
    case 'ServiceAccount':
      return { kind: 'serviceaccount', namespace: subject.namespace ?? '', name: subject.name };
    case 'IamPrincipal':
      return { kind: 'iam', arn: subject.name };
    default: {
      const unknown: never = subject.kind;
      throw new Error(`unknown subject kind ${String(unknown)}`);
    }
  }
}

export function roleIndex(read: Awaited<ReturnType<typeof frozenSnapshot>>): RoleRules {
  const index = new Map<string, readonly PolicyRule[]>();
  for (const role of read.clusterRoles) index.set(`ClusterRole/${role.metadata.name}`, role.rules ?? []);
  for (const role of read.roles)
    index.set(`Role/${role.metadata.namespace ?? ''}/${role.metadata.name}`, role.rules ?? []);
  return index;
}

/** The grant's rules and where they apply; undefined for grants without rules (aws-auth, EKS policies). */
export function rulesOf(item: ReviewItem, roles: RoleRules): GrantRules | undefined {
  const grant = item.grant;
  if (grant.type !== 'binding') return undefined;
  const key =
    grant.roleRef.kind === 'ClusterRole'
      ? `ClusterRole/${grant.roleRef.name}`
      : `Role/${grant.namespace ?? ''}/${grant.roleRef.name}`;
  const rules = roles.get(key) ?? [];
  return { rules, scope: grant.bindingKind === 'RoleBinding' ? { namespace: grant.namespace ?? '' } : {} };
}

/** An item's usage summary from what its subject used in the window and the grant's rules. */
export function summarize(item: ReviewItem, answer: WindowUsage, role: GrantRules | undefined): UsageSummary {
  if (answer.kind === 'unknown') return { kind: 'unknown', why: answer.reason };
  // Only what the ingested logs cover: "unused" never claims the time before or after them.
  const window = {
    from: answer.complete ? answer.window.since : answer.evidence.from,
    to:
      Date.parse(answer.evidence.to) < Date.parse(answer.window.until)
        ? answer.evidence.to
        : answer.window.until,
  };
  if (!role) {
    const relevant = permissionsInScope(item, answer.permissions);
    return { kind: 'summary', ...uses(relevant), window, revokeCandidate: relevant.length === 0 };
  }
  const grants = unusedGrants(role.rules, answer, role.scope);
  if (grants.kind === 'unknown') return { kind: 'unknown', why: grants.reason };
  const relevant = [...new Set(grants.used.flatMap((rule) => rule.used))];
  const smaller = smallerRole(role.rules, relevant, role.scope);
  return {
    kind: 'summary',
    ...uses(relevant),
    window,
    revokeCandidate: relevant.length === 0,
    unusedRules: grants.unused.map((rule) => describeRule(rule.rule)),
    ...(smaller.length > 0 ? { smallerRole: smaller } : {}),
  };
}

/** An EKS access policy scoped to namespaces covers only uses there; aws-auth covers all the ARN did. */
function permissionsInScope(
  item: ReviewItem,
  permissions: readonly UsedPermission[],
): readonly UsedPermission[] {
  const grant = item.grant;
  if (grant.type !== 'access-policy' || grant.accessScope.type === 'cluster') return permissions;
  const namespaces = new Set(grant.accessScope.namespaces ?? []);
  return permissions.filter((permission) => namespaces.has(permission.namespace));
}

function uses(permissions: readonly UsedPermission[]): { lastUsedAt?: string; requests: number } {
  let lastUsedAt: string | undefined;
  let requests = 0;
  for (const permission of permissions) {
    requests += permission.count;
    if (lastUsedAt === undefined || permission.lastUsed > lastUsedAt) lastUsedAt = permission.lastUsed;
  }
  return { ...(lastUsedAt ? { lastUsedAt } : {}), requests };
}
