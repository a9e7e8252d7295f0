import { type PolicyRule, ruleAllowsNonResource, ruleAllowsResource } from '../rbac/index.js';
import type { Permission } from './audit-event.js';
import type { UsedPermission, WindowUsage } from './usage-of.js';

/**
 * Where a grant applies: a RoleBinding grants its role's rules in its namespace only (and never
 * cluster-scoped resources or non-resource URLs); a ClusterRoleBinding everywhere.
 */
export interface GrantScope {
  /** The RoleBinding's namespace; absent for a ClusterRoleBinding or an EKS cluster-wide policy. */
  readonly namespace?: string;
}

/** One rule of a role and the uses it allows. */
export interface RuleUsage {
  readonly rule: PolicyRule;
  /** Its place in the role's rules. */
  readonly index: number;
  readonly used: readonly UsedPermission[];
  /** The newest of `used`, ISO; absent when unused. */
  readonly lastUsed?: string;
}

export type GrantUsage =
  | { readonly kind: 'known'; readonly used: readonly RuleUsage[]; readonly unused: readonly RuleUsage[] }
  | { readonly kind: 'unknown'; readonly reason: string };

/** True when the rule, applied in `scope`, allows the request the permission describes. */
export function ruleAllows(rule: PolicyRule, permission: Permission, scope: GrantScope = {}): boolean {
  if (scope.namespace !== undefined && permission.namespace !== scope.namespace) return false;
  if (permission.nonResourceUrl !== '')
    return ruleAllowsNonResource(rule, { verb: permission.verb, path: permission.nonResourceUrl });
  return ruleAllowsResource(rule, {
    verb: permission.verb,
    group: permission.apiGroup,
    resource: permission.resource,
    subresource: permission.subresource,
    namespace: permission.namespace,
    name: permission.name,
  });
}

/**
 * Which rules of a role the subject's recorded uses touched in the window, and which it never
 * did: the revoke candidates. A use counts for every rule that allows it (the audit log says
 * what was allowed, not through which binding).
 *
 * @example
 * const grants = unusedGrants(role.rules, await usageOf(store, query), { namespace: 'payments' });
 * if (grants.kind === 'known') for (const { rule } of grants.unused) console.log(describeRule(rule));
 */
export function unusedGrants(
  rules: readonly PolicyRule[],
  usage: WindowUsage,
  scope: GrantScope = {},
): GrantUsage {
  if (usage.kind === 'unknown') return usage;
  const all = rules.map((rule, index) => {
    const used = usage.permissions.filter((permission) => ruleAllows(rule, permission, scope));
    const lastUsed = used.reduce<string | undefined>(
      (newest, permission) =>
        newest === undefined || permission.lastUsed > newest ? permission.lastUsed : newest,
      undefined,
    );
    return { rule, index, used, ...(lastUsed ? { lastUsed } : {}) };
  });
  return {
    kind: 'known',
    used: all.filter((entry) => entry.used.length > 0),
    unused: all.filter((entry) => entry.used.length === 0),
  };
}
