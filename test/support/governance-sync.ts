import { type ClusterRead, type SyncRun, saveSyncRun } from '../../src/inventory/index.js';
import type { Store } from '../../src/store/index.js';

/** A user name as hostile as a cluster can make one: it must be shown as text, never as markup. */
export const hostileUser = '<img src=x onerror=alert(1)>';
export const adminArn = 'arn:aws:iam::111122223333:role/Admin';
/** Given EKS's view access policy in payments through an access entry. */
export const viewerArn = 'arn:aws:iam::111122223333:role/Viewer';

/**
 * A small cluster's RBAC as a sync reads it: devs (and a hostile user and a service account) may
 * exec into pods of payments; payments-admins, onto which aws-auth maps an IAM role, are cluster
 * admins.
 */
export function governanceRead(errors: ClusterRead['errors'] = []): ClusterRead {
  return {
    namespaces: [{ metadata: { name: 'payments' } }],
    serviceAccounts: [{ metadata: { name: 'api', namespace: 'payments' } }],
    roles: [
      {
        kind: 'Role',
        metadata: { name: 'pod-reader', namespace: 'payments' },
        rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
      },
    ],
    clusterRoles: [
      {
        kind: 'ClusterRole',
        metadata: { name: 'pod-exec' },
        rules: [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }],
      },
      {
        kind: 'ClusterRole',
        metadata: { name: 'everything' },
        rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      },
    ],
    roleBindings: [
      {
        kind: 'RoleBinding',
        metadata: { name: 'exec-for-devs', namespace: 'payments' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-exec' },
        subjects: [
          { kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' },
          { kind: 'User', name: hostileUser, apiGroup: 'rbac.authorization.k8s.io' },
          { kind: 'ServiceAccount', name: 'api', namespace: 'payments' },
        ],
      },
      {
        kind: 'RoleBinding',
        metadata: { name: 'read-pods', namespace: 'payments' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ],
    clusterRoleBindings: [
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'payments-admins' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'everything' },
        subjects: [{ kind: 'Group', name: 'payments-admins', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ],
    awsAuth: {
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: { mapRoles: `- rolearn: ${adminArn}\n  username: admin\n  groups: [payments-admins]\n` },
    },
    eks: {
      authenticationMode: 'API_AND_CONFIG_MAP',
      accessEntries: [
        {
          principalArn: viewerArn,
          type: 'STANDARD',
          kubernetesGroups: [],
          policies: [
            {
              policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
              accessScope: { type: 'namespace', namespaces: ['payments'] },
            },
          ],
        },
      ],
    },
    resourceVersions: {},
    errors,
  };
}

/** Stores a sync of `cluster` as `gatehouse rbac sync` would; with errors, a partial one. */
export async function storeSync(
  store: Store,
  options: { cluster: string; at: string; errors?: ClusterRead['errors'] },
): Promise<SyncRun> {
  const read = governanceRead(options.errors);
  const counts = {
    namespaces: 1,
    serviceAccounts: 1,
    roles: 1,
    clusterRoles: 2,
    roleBindings: 2,
    clusterRoleBindings: 1,
    accessEntries: 1,
  };
  return await saveSyncRun(
    store,
    {
      cluster: options.cluster,
      server: `https://${options.cluster}.example`,
      startedAt: options.at,
      finishedAt: options.at,
      status: read.errors.length > 0 ? 'partial' : 'succeeded',
      counts,
      resourceVersions: {},
      errors: read.errors,
    },
    read,
  );
}
