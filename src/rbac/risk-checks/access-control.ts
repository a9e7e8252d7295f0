import { ask, type Check, core, rbacGroup, writes } from './types.js';

const powerfulRoles = ['cluster-admin', 'admin', 'edit'];

/** Checks on who can change who may do what: RBAC itself, impersonation, aws-auth. */
export const accessControlChecks: readonly Check[] = [
  {
    kind: 'requests',
    id: 'cluster-admin',
    title: 'full control of every resource (cluster-admin equivalent)',
    // Full control of kube-system is control of the cluster (its service accounts and secrets).
    severity: { cluster: 'critical', kubeSystem: 'critical', namespace: 'high' },
    requests: [{ verb: '*', group: '*', resource: '*' }],
    otherNames: 'ignore',
  },
  {
    kind: 'requests',
    id: 'escalate',
    title: 'can write roles with permissions it does not hold (escalate)',
    severity: { cluster: 'critical', kubeSystem: 'critical', namespace: 'high' },
    requests: ask(
      ['escalate'],
      [
        { group: rbacGroup, resource: 'roles', dangerousNames: powerfulRoles },
        { group: rbacGroup, resource: 'clusterroles', dangerousNames: powerfulRoles },
      ],
    ),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'bind',
    title: 'can bind roles with permissions it does not hold (bind)',
    severity: { cluster: 'critical', kubeSystem: 'critical', namespace: 'high' },
    requests: ask(
      ['bind'],
      [
        { group: rbacGroup, resource: 'roles', dangerousNames: powerfulRoles },
        { group: rbacGroup, resource: 'clusterroles', dangerousNames: powerfulRoles },
      ],
    ),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'impersonate',
    title: 'can impersonate users, groups or service accounts',
    severity: { cluster: 'critical', kubeSystem: 'critical', namespace: 'high' },
    requests: ask(
      ['impersonate'],
      [
        { ...core('users'), clusterScoped: true, dangerousNames: ['system:admin', 'kubernetes-admin'] },
        { ...core('groups'), clusterScoped: true, dangerousNames: ['system:masters', 'system:nodes'] },
        // Impersonating a service account is authorized in its namespace: RoleBindings reach them.
        core('serviceaccounts'),
      ],
    ),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'impersonate-extras',
    title: 'can impersonate user extras or UIDs (changes what webhooks and audit see)',
    severity: { cluster: 'medium', namespace: 'medium' },
    requests: ask(
      ['impersonate'],
      [
        { group: 'authentication.k8s.io', resource: 'userextras', anySubresource: true, clusterScoped: true },
        { group: 'authentication.k8s.io', resource: 'uids', clusterScoped: true },
      ],
    ),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'edit-aws-auth',
    title: 'can edit kube-system/aws-auth (map any IAM principal to any group)',
    severity: { cluster: 'critical', namespace: 'critical' },
    requests: ask(writes, [
      { ...core('configmaps'), namespace: 'kube-system', dangerousNames: ['aws-auth'] },
    ]),
    otherNames: 'ignore',
  },
  {
    kind: 'requests',
    id: 'write-bindings',
    title: 'can write role bindings (hand its own permissions to anyone)',
    severity: { cluster: 'medium', kubeSystem: 'medium', namespace: 'low' },
    requests: ask(
      ['create', ...writes],
      ['rolebindings', 'clusterrolebindings'].map((resource) => ({ group: rbacGroup, resource })),
    ),
    otherNames: 'lower',
  },
];
