import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from './types.js';

/** Builders for RBAC objects in tests and benchmarks; shapes as the API serves them. */
export const clusterRole = (
  name: string,
  rules: PolicyRule[],
  labels?: Record<string, string>,
): ClusterRole => ({
  kind: 'ClusterRole',
  metadata: { name, ...(labels ? { labels } : {}) },
  rules,
});
export const role = (namespace: string, name: string, rules: PolicyRule[]): Role => ({
  kind: 'Role',
  metadata: { name, namespace },
  rules,
});
export const clusterRoleBinding = (
  name: string,
  roleName: string,
  subjects: Subject[],
): ClusterRoleBinding => ({
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});
export const roleBinding = (
  namespace: string,
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Subject[],
): RoleBinding => ({
  kind: 'RoleBinding',
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  subjects,
});
export const user = (name: string): Subject => ({
  kind: 'User',
  name,
  apiGroup: 'rbac.authorization.k8s.io',
});
export const group = (name: string): Subject => ({
  kind: 'Group',
  name,
  apiGroup: 'rbac.authorization.k8s.io',
});
export const serviceAccount = (name: string, namespace?: string): Subject => ({
  kind: 'ServiceAccount',
  name,
  ...(namespace ? { namespace } : {}),
});
