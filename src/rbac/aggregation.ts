import type { ClusterRole, LabelSelector, PolicyRule } from './types.js';

/** Label selector semantics of metav1.LabelSelector: every matchLabels and matchExpressions term. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!has || !values.includes(labels[requirement.key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[requirement.key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Recomputes the rules of aggregated ClusterRoles the way the clusterrole-aggregation controller
 * does: the union, without duplicates, of the rules of every other ClusterRole matched by its
 * selectors, selector by selector and in name order. Iterates to a fixed point so aggregates of aggregates settle.
 * Live clusters already hold the result; manifests on disk do not.
 */
export function aggregateClusterRoles(clusterRoles: readonly ClusterRole[]): ClusterRole[] {
  let current = [...clusterRoles].sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
  );
  for (let round = 0; round <= current.length; round++) {
    let changed = false;
    current = current.map((role) => {
      const selectors = role.aggregationRule?.clusterRoleSelectors;
      if (!selectors) return role;
      const rules: PolicyRule[] = [];
      // Selector by selector, matches in name order, as the controller walks them; an empty
      // selector matches every ClusterRole (metav1.LabelSelectorAsSelector).
      for (const selector of selectors) {
        for (const other of current) {
          if (other.metadata.name === role.metadata.name) continue;
          if (!selectorMatches(selector, other.metadata.labels ?? {})) continue;
          for (const rule of other.rules ?? [])
            if (!rules.some((existing) => sameRule(existing, rule))) rules.push(rule);
        }
      }
      if (sameRules(rules, role.rules ?? [])) return role;
      changed = true;
      return { ...role, rules };
    });
    if (!changed) break;
  }
  const byName = new Map(current.map((role) => [role.metadata.name, role]));
  return clusterRoles.map((role) => byName.get(role.metadata.name) ?? role);
}

function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return a.length === b.length && a.every((rule, index) => sameRule(rule, b[index]!));
}

function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return (
    same(a.verbs, b.verbs) &&
    same(a.apiGroups, b.apiGroups) &&
    same(a.resources, b.resources) &&
    same(a.resourceNames, b.resourceNames) &&
    same(a.nonResourceURLs, b.nonResourceURLs)
  );
}

function same(a: readonly string[] = [], b: readonly string[] = []): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
