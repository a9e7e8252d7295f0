import {
  type Binding,
  type ClusterRole,
  effectivePermissions,
  findRisks,
  type PolicyRule,
  RbacIndex,
  type RbacSnapshot,
  type Role,
  type Severity,
  type Subject,
} from '../rbac/index.js';

/** One line of what a grant allows: a resource (or non-resource URL) and its verbs. */
export interface PermissionLine {
  /** Where it applies: the namespace of a namespaced grant, undefined cluster-wide. */
  readonly namespace: string | undefined;
  /** As kubectl names it: `pods`, `pods/exec`, `deployments.apps`, `*.*`, or a URL such as `/metrics`. */
  readonly resource: string;
  readonly verbs: readonly string[];
  /** Only these objects; empty for all of them. */
  readonly resourceNames: readonly string[];
  /** Whether the subject holds every verb of the line already; undefined when that was not computed. */
  readonly alreadyHeld?: boolean;
}

/** A risky permission among those the grant adds, by the RBAC risk catalogue. */
export interface PreviewRisk {
  readonly check: string;
  readonly severity: Severity;
  readonly title: string;
  /** The rule that triggers it. */
  readonly why: string;
}

/** The subject a grant would bind, as RBAC names it. */
export type GrantSubject =
  | { readonly kind: 'User'; readonly name: string }
  | { readonly kind: 'ServiceAccount'; readonly namespace: string; readonly name: string };

/**
 * What binding `role` to `subject` (in `namespace`, or cluster-wide) would allow, and which of it
 * is risky, computed by the RBAC engine on a snapshot holding only that role and that binding, so
 * every permission and finding is the grant's own.
 */
export function previewBinding(input: {
  readonly role: Role | ClusterRole;
  readonly subject: GrantSubject;
  readonly namespace: string | undefined;
}): { permissions: PermissionLine[]; risks: PreviewRisk[] } {
  const { role, subject, namespace } = input;
  const binding = hypotheticalBinding(role, subject, namespace);
  const snapshot: RbacSnapshot = {
    roles: role.kind === 'Role' ? [role] : [],
    clusterRoles: role.kind === 'ClusterRole' ? [role] : [],
    roleBindings: binding.kind === 'RoleBinding' ? [binding] : [],
    clusterRoleBindings: binding.kind === 'ClusterRoleBinding' ? [binding] : [],
  };
  const index = new RbacIndex(snapshot);
  const user =
    subject.kind === 'User' ? subject.name : `system:serviceaccount:${subject.namespace}:${subject.name}`;
  const entries = effectivePermissions(index, { user, groups: [] }).entries;
  // Every path starts with the hypothetical binding and role; what is left is the rule.
  const scope = binding.kind === 'RoleBinding' ? `RoleBinding ${namespace}/` : 'ClusterRoleBinding ';
  const base = `${scope}${previewName} → ${role.kind} ${role.metadata.name} → `;
  const risks = findRisks(index, { includeDefaults: true }).map((finding) => ({
    check: finding.check,
    severity: finding.severity,
    title: finding.title,
    why: finding.path.replaceAll(base, ''),
  }));
  return { permissions: permissionLines(entries), risks };
}

const previewName = 'gatehouse-preview';

/** The subject as a binding names it. */
export function subjectOf(subject: GrantSubject): Subject {
  return subject.kind === 'User'
    ? { kind: 'User', name: subject.name, apiGroup: 'rbac.authorization.k8s.io' }
    : { kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace };
}

/** The binding the grant would create, under a name no real binding has. */
export function hypotheticalBinding(
  role: Role | ClusterRole,
  subject: GrantSubject,
  namespace: string | undefined,
): Binding {
  const subjects: Subject[] = [subjectOf(subject)];
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: role.kind, name: role.metadata.name };
  return namespace === undefined
    ? { kind: 'ClusterRoleBinding', metadata: { name: previewName }, roleRef, subjects }
    : { kind: 'RoleBinding', metadata: { name: previewName, namespace }, roleRef, subjects };
}

/** Rules as lines, one per resource (or URL) and set of names, verbs of equal lines merged. */
export function permissionLines(
  entries: readonly { readonly namespace: string | undefined; readonly rule: PolicyRule }[],
): PermissionLine[] {
  const lines = new Map<
    string,
    { namespace: string | undefined; resource: string; verbs: Set<string>; resourceNames: string[] }
  >();
  for (const { namespace, rule } of entries) {
    const names = [...(rule.resourceNames ?? [])].sort();
    for (const resource of resourcesOf(rule)) {
      const key = JSON.stringify([namespace ?? null, resource, names]);
      const line = lines.get(key) ?? { namespace, resource, verbs: new Set<string>(), resourceNames: names };
      for (const verb of rule.verbs) line.verbs.add(verb);
      lines.set(key, line);
    }
  }
  return [...lines.values()]
    .map((line) => ({ ...line, verbs: [...line.verbs].sort() }))
    .sort(
      (a, b) =>
        (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
        a.resource.localeCompare(b.resource) ||
        a.resourceNames.join(',').localeCompare(b.resourceNames.join(',')),
    );
}

function resourcesOf(rule: PolicyRule): string[] {
  if (rule.nonResourceURLs?.length && !rule.resources?.length) return [...rule.nonResourceURLs];
  const groups = rule.apiGroups?.length ? rule.apiGroups : [''];
  return groups.flatMap((group) =>
    (rule.resources ?? []).map((resource) => (group ? `${resource}.${group}` : resource)),
  );
}
