import { bindingLabel, type RbacIndex, resolveSubject, subjectKey } from './rbac-index.js';
import { describeRule } from './risks.js';

/** One effective grant: a subject may do what a rule says, in a namespace or cluster-wide. */
export interface EffectiveGrant {
  readonly subject: string;
  readonly namespace: string | undefined;
  readonly rule: string;
  /** The bindings that grant it (a grant may come from several). */
  readonly via: readonly string[];
}

export interface GrantDiff {
  readonly added: readonly EffectiveGrant[];
  readonly removed: readonly EffectiveGrant[];
}

/** Every effective grant of a snapshot, keyed by subject, scope and rule. */
export function effectiveGrants(index: RbacIndex): Map<string, EffectiveGrant> {
  const grants = new Map<
    string,
    { subject: string; namespace: string | undefined; rule: string; via: string[] }
  >();
  for (const binding of [...index.snapshot.clusterRoleBindings, ...index.snapshot.roleBindings]) {
    const role = index.roleFor(binding);
    if (!role) continue;
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    for (const subject of binding.subjects ?? []) {
      const resolved = resolveSubject(subject, binding);
      if (!resolved) continue;
      for (const rule of role.rules ?? []) {
        if (namespace !== undefined && rule.nonResourceURLs?.length) continue;
        const text = describeRule(rule);
        const key = `${subjectKey(resolved)}|${namespace ?? '*'}|${text}`;
        const existing = grants.get(key);
        const via = `${bindingLabel(binding)} → ${binding.roleRef.kind} "${binding.roleRef.name}"`;
        if (existing) existing.via.push(via);
        else grants.set(key, { subject: subjectKey(resolved), namespace, rule: text, via: [via] });
      }
    }
  }
  return grants;
}

/** Effective grants added and removed between two snapshots. */
export function diffGrants(from: RbacIndex, to: RbacIndex): GrantDiff {
  const before = effectiveGrants(from);
  const after = effectiveGrants(to);
  return {
    added: [...after].filter(([key]) => !before.has(key)).map(([, grant]) => grant),
    removed: [...before].filter(([key]) => !after.has(key)).map(([, grant]) => grant),
  };
}
