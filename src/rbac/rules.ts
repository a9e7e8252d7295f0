import type { NonResourceAttributes, PolicyRule, ResourceAttributes } from './types.js';

/**
 * Rule matching exactly as the Kubernetes RBAC authorizer does it (RuleAllows): `*` matches every
 * verb, group and resource; resources match `resource/subresource`, and `*\/sub` matches any
 * resource's `sub` (but `*\/*` is not a wildcard); an empty resourceNames list matches every name.
 */
export function ruleAllowsResource(rule: PolicyRule, request: ResourceAttributes): boolean {
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.group ?? '') &&
    resourceMatches(rule, request.resource, request.subresource ?? '') &&
    resourceNameMatches(rule, request.name ?? '')
  );
}

export function ruleAllowsNonResource(rule: PolicyRule, request: NonResourceAttributes): boolean {
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((ruleVerb) => ruleVerb === '*' || ruleVerb === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((ruleGroup) => ruleGroup === '*' || ruleGroup === group);
}

export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  return (rule.resources ?? []).some((ruleResource) => {
    if (ruleResource === '*' || ruleResource === combined) return true;
    if (subresource === '') return false;
    return (
      ruleResource.length === subresource.length + 2 &&
      ruleResource.startsWith('*/') &&
      ruleResource.endsWith(subresource)
    );
  });
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/**
 * A trailing run of `*` is a prefix glob: the authorizer trims every trailing star (TrimRight), so
 * `/api**` matches `/api/v1` and `**` matches everything. A `*` anywhere else is literal.
 */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((url) => {
    if (url === '*' || url === path) return true;
    return url.endsWith('*') && path.startsWith(trimTrailingStars(url));
  });
}

function trimTrailingStars(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '*') end--;
  return url.slice(0, end);
}
