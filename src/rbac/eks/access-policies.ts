import { ruleAllowsNonResource, ruleAllowsResource } from '../rules.js';
import type { NonResourceAttributes, PolicyRule, ResourceAttributes } from '../types.js';
import table from './access-policies.json' with { type: 'json' };
import type { AccessPolicyAssociation } from './identity.js';

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
