import type { ClusterRead } from '../../src/inventory/index.js';

const rbacGroup = 'rbac.authorization.k8s.io';
const user = (name: string) => ({ kind: 'User' as const, name, apiGroup: rbacGroup });
const group = (name: string) => ({ kind: 'Group' as const, name, apiGroup: rbacGroup });

/**
 * A small cluster for access reviews: payments (env=prod, owned by bob) and dev (env=dev); two
 * cluster admins, an IAM break-glass role mapped to system:masters, a binding to a missing role,
 * and a Kubernetes default binding that reviews leave out.
 */
export function reviewRead(): ClusterRead {
  return {
    namespaces: [
      {
        metadata: {
          name: 'payments',
          labels: { env: 'prod' },
          annotations: { 'gatehouse.dev/owners': 'user:bob' },
        },
      },
      { metadata: { name: 'dev', labels: { env: 'dev' } } },
    ],
    serviceAccounts: [{ metadata: { name: 'api', namespace: 'payments' } }],
    roles: [
      {
        kind: 'Role',
        metadata: { name: 'secret-reader', namespace: 'payments' },
        rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }],
      },
    ],
    clusterRoles: [
      {
        kind: 'ClusterRole',
        metadata: { name: 'cluster-admin' },
        rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      },
      {
        kind: 'ClusterRole',
        metadata: { name: 'edit' },
        rules: [{ verbs: ['create', 'update', 'delete'], apiGroups: ['apps'], resources: ['deployments'] }],
      },
      {
        kind: 'ClusterRole',
        metadata: { name: 'view' },
        rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
      },
    ],
    roleBindings: [
      {
        kind: 'RoleBinding',
        metadata: { name: 'bob-edit', namespace: 'payments' },
        roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'edit' },
        subjects: [user('bob')],
      },
      {
        kind: 'RoleBinding',
        metadata: { name: 'olivia-edit', namespace: 'payments' },
        roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'edit' },
        subjects: [user('olivia')],
      },
      {
        kind: 'RoleBinding',
        metadata: { name: 'api-secrets', namespace: 'payments' },
        roleRef: { apiGroup: rbacGroup, kind: 'Role', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'api' }],
      },
      {
        kind: 'RoleBinding',
        metadata: { name: 'legacy', namespace: 'dev' },
        roleRef: { apiGroup: rbacGroup, kind: 'Role', name: 'gone' },
        subjects: [user('dave')],
      },
    ],
    clusterRoleBindings: [
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'admins' },
        roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [group('platform-admins'), user('carol')],
      },
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'alice-view' },
        roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'view' },
        subjects: [user('alice')],
      },
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'system:basic-user', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
        roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'view' },
        subjects: [group('system:authenticated')],
      },
    ],
    awsAuth: {
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles: [
          '- rolearn: arn:aws:iam::111122223333:role/break-glass',
          '  username: break-glass',
          '  groups:',
          '    - system:masters',
          '',
        ].join('\n'),
      },
    },
    resourceVersions: {},
    errors: [],
  };
}
