import type { PermissionEntry } from '../permissions.js';
import { ruleAllowsNonResource, ruleAllowsResource } from '../rules.js';
import type { NonResourceAttributes, PolicyRule, ResourceAttributes } from '../types.js';
import table from './access-policies.json' with { type: 'json' };
import type { AccessEntry, AccessPolicyAssociation } from './identity.js';

/** An EKS access policy as shipped in access-policies.json (AWS does not serve their rules). */
export interface AccessPolicy {
  readonly name: string;
  readonly arn: string;
  readonly scopes: readonly ('cluster' | 'namespace')[];
  readonly source: string;
  readonly note?: string;
  readonly rules: readonly PolicyRule[];
}

export const accessPolicies: readonly AccessPolicy[] = table as AccessPolicy[];
const byArn = new Map(accessPolicies.map((policy) => [policy.arn, policy]));

export function accessPolicy(arn: string): AccessPolicy | undefined {
  return byArn.get(arn);
}

/** AWS publishes no rule table for some policies: their grants are unknown, not empty. */
export function isDocumented(policy: AccessPolicy): boolean {
  return !policy.note?.startsWith('INCOMPLETE');
}

/** EKS namespace scopes accept a trailing `*` wildcard (`dev-*`). */
export function scopeCovers(association: AccessPolicyAssociation, namespace: string): boolean {
  if (association.accessScope.type === 'cluster') return true;
  if (namespace === '') return false;
  return (association.accessScope.namespaces ?? []).some((pattern) =>
    pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace,
  );
}

export type PolicyAnswer = 'allowed' | 'not-allowed' | 'unknown';

/**
 * Whether an associated access policy allows a request: its rules within its scope. Non-resource
 * URLs are only granted by cluster-scoped associations. `unknown` for undocumented policies.
 */
export function associationAllows(
  association: AccessPolicyAssociation,
  request: {
    readonly resourceAttributes?: ResourceAttributes;
    readonly nonResourceAttributes?: NonResourceAttributes;
  },
): PolicyAnswer {
  const policy = accessPolicy(association.policyArn);
  if (!policy || !isDocumented(policy)) return 'unknown';
  if (request.resourceAttributes) {
    const attributes = request.resourceAttributes;
    if (!scopeCovers(association, attributes.namespace ?? '')) return 'not-allowed';
    return policy.rules.some((rule) => ruleAllowsResource(rule, attributes)) ? 'allowed' : 'not-allowed';
  }
  if (request.nonResourceAttributes && association.accessScope.type === 'cluster') {
    const attributes = request.nonResourceAttributes;
    return policy.rules.some((rule) => ruleAllowsNonResource(rule, attributes)) ? 'allowed' : 'not-allowed';
  }
  return 'not-allowed';
}

/** One access entry whose associated policy grants (or may grant) a request. */
export interface AccessEntryGrant {
  readonly principalArn: string;
  readonly policyArn: string;
  readonly scope: string;
  readonly answer: Exclude<PolicyAnswer, 'not-allowed'>;
}

/**
 * Access entries whose associated access policies allow a request, for who-can. Policies whose
 * rules AWS does not publish are listed as `unknown`, never silently dropped.
 */
export function accessEntryGrants(
  entries: readonly AccessEntry[],
  request: {
    readonly resourceAttributes?: ResourceAttributes;
    readonly nonResourceAttributes?: NonResourceAttributes;
  },
): AccessEntryGrant[] {
  const grants: AccessEntryGrant[] = [];
  for (const entry of entries) {
    if (entry.type !== 'STANDARD') continue;
    for (const association of entry.policies) {
      const answer = associationAllows(association, request);
      if (answer === 'not-allowed') continue;
      const scope =
        association.accessScope.type === 'cluster'
          ? 'cluster'
          : `namespaces ${(association.accessScope.namespaces ?? []).join(',')}`;
      grants.push({ principalArn: entry.principalArn, policyArn: association.policyArn, scope, answer });
    }
  }
  return grants;
}

/** The rules an identity holds through its access entry's policies, one entry per scope. */
export function accessPolicyPermissions(
  principalArn: string,
  associations: readonly AccessPolicyAssociation[],
): PermissionEntry[] {
  return associations.flatMap((association) => {
    const policy = accessPolicy(association.policyArn);
    const namespaces =
      association.accessScope.type === 'cluster' ? [undefined] : (association.accessScope.namespaces ?? []);
    return namespaces.flatMap((namespace) =>
      (policy?.rules ?? []).map((rule) => ({
        namespace,
        rule,
        binding: `AccessEntry/${principalArn}`,
        role: `AccessPolicy/${policy?.name ?? association.policyArn}`,
        through: 'EKS access policy',
      })),
    );
  });
}
