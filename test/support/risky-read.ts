import type { ClusterRead } from '../../src/inventory/index.js';
import { aggregateClusterRoles } from '../../src/rbac/index.js';
import { random, randomRbac } from './random-rbac.js';

const bootstrap = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

/** Random RBAC with aws-auth, and some bindings labelled as Kubernetes' own. */
export function riskyRead(seed: number): ClusterRead {
  const rbac = randomRbac(seed, 0);
  const next = random(seed + 3);
  const own = <T extends { metadata: { labels?: Record<string, string> } }>(binding: T): T =>
    next() < 0.3 ? { ...binding, metadata: { ...binding.metadata, labels: bootstrap } } : binding;
  return {
    namespaces: [...rbac.namespaces, 'kube-system'].map((name) => ({ metadata: { name } })),
    serviceAccounts: [],
    roles: rbac.roles,
    clusterRoles: aggregateClusterRoles(rbac.clusterRoles),
    roleBindings: [
      ...rbac.roleBindings.map(own),
      {
        kind: 'RoleBinding',
        metadata: { name: 'system-edit', namespace: 'kube-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbt-cr-3' },
        subjects: [{ kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ],
    clusterRoleBindings: rbac.clusterRoleBindings.map(own),
    awsAuth: {
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        ...rbac.awsAuth,
        mapAccounts: '- "111122223333"\n',
        mapRoles: `${rbac.awsAuth.mapRoles}- rolearn: arn:aws:iam::111122223333:role/break-glass\n  username: admin\n  groups: [system:masters]\n`,
      },
    },
    resourceVersions: {},
    errors: [],
  };
}
