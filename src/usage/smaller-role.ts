import type { PolicyRule } from '../rbac/index.js';
import type { Permission } from './audit-event.js';
import { type GrantScope, ruleAllows } from './grants.js';

const separator = '\u001f';

/** What the used permissions need, before it is folded into rules. */
interface Needs {
  /** `group␟resource[/sub]` → verbs used on any name (or granted for any name). */
  readonly unnamed: Map<string, Set<string>>;
  /** `group␟resource␟verb` → names, where the role itself grants only named objects. */
  readonly named: Map<string, Set<string>>;
  /** Non-resource URL → verbs. */
  readonly urls: Map<string, Set<string>>;
}

/**
 * The smallest rules that still allow every use the role allowed: per API group, the resources
 * used with the same verbs share a rule; names are kept only where the role itself was limited to
 * names; uses the role did not allow are left out, so the result never grants beyond the role.
 *
 * @example
 * smallerRole(role.rules, answer.permissions, { namespace: 'payments' });
 * // [{ apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list'] }]
 */
export function smallerRole(
  rules: readonly PolicyRule[],
  permissions: readonly Permission[],
  scope: GrantScope = {},
): PolicyRule[] {
  const needs: Needs = { unnamed: new Map(), named: new Map(), urls: new Map() };
  for (const permission of permissions) need(needs, rules, permission, scope);
  for (const [key, names] of needs.named) {
    const [group, resource, verb] = key.split(separator) as [string, string, string];
    if (needs.unnamed.get(`${group}${separator}${resource}`)?.has(verb)) needs.named.delete(key);
    else if (names.size === 0) needs.named.delete(key);
  }
  return [...unnamedRules(needs.unnamed), ...namedRules(needs.named), ...urlRules(needs.urls)];
}

function need(needs: Needs, rules: readonly PolicyRule[], permission: Permission, scope: GrantScope): void {
  const allowing = rules.filter((rule) => ruleAllows(rule, permission, scope));
  if (allowing.length === 0) return;
  if (permission.nonResourceUrl !== '') {
    add(needs.urls, permission.nonResourceUrl, permission.verb);
    return;
  }
  const resource = permission.subresource
    ? `${permission.resource}/${permission.subresource}`
    : permission.resource;
  const key = `${permission.apiGroup}${separator}${resource}`;
  if (allowing.some((rule) => (rule.resourceNames ?? []).length === 0))
    add(needs.unnamed, key, permission.verb);
  else add(needs.named, `${key}${separator}${permission.verb}`, permission.name);
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const found = map.get(key);
  if (found) found.add(value);
  else map.set(key, new Set([value]));
}

/** Resources of one group used with the same verbs become one rule. */
function unnamedRules(unnamed: Map<string, Set<string>>): PolicyRule[] {
  const byVerbs = new Map<string, { group: string; verbs: string[]; resources: string[] }>();
  for (const [key, verbSet] of unnamed) {
    const [group, resource] = key.split(separator) as [string, string];
    const verbs = [...verbSet].sort();
    const fold = `${group}${separator}${verbs.join(',')}`;
    const found = byVerbs.get(fold);
    if (found) found.resources.push(resource);
    else byVerbs.set(fold, { group, verbs, resources: [resource] });
  }
  return [...byVerbs.values()]
    .map(({ group, verbs, resources }) => ({ apiGroups: [group], resources: resources.sort(), verbs }))
    .sort(byText);
}

/** Verbs used on the same names of one resource share a rule: verbs × names were each granted. */
function namedRules(named: Map<string, Set<string>>): PolicyRule[] {
  const byNames = new Map<string, { group: string; resource: string; names: string[]; verbs: string[] }>();
  for (const [key, nameSet] of named) {
    const [group, resource, verb] = key.split(separator) as [string, string, string];
    const names = [...nameSet].sort();
    const fold = `${group}${separator}${resource}${separator}${names.join(separator)}`;
    const found = byNames.get(fold);
    if (found) found.verbs.push(verb);
    else byNames.set(fold, { group, resource, names, verbs: [verb] });
  }
  return [...byNames.values()]
    .map(({ group, resource, names, verbs }) => ({
      apiGroups: [group],
      resources: [resource],
      verbs: verbs.sort(),
      resourceNames: names,
    }))
    .sort(byText);
}

function urlRules(urls: Map<string, Set<string>>): PolicyRule[] {
  const byVerbs = new Map<string, { verbs: string[]; paths: string[] }>();
  for (const [path, verbSet] of urls) {
    const verbs = [...verbSet].sort();
    const found = byVerbs.get(verbs.join(','));
    if (found) found.paths.push(path);
    else byVerbs.set(verbs.join(','), { verbs, paths: [path] });
  }
  return [...byVerbs.values()]
    .map(({ verbs, paths }) => ({ verbs, nonResourceURLs: paths.sort() }))
    .sort(byText);
}

function byText(a: PolicyRule, b: PolicyRule): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
