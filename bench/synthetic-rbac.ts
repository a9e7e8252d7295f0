import type {
  AccessRequest,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  RbacSnapshot,
  Role,
  RoleBinding,
  Subject,
} from '../src/rbac/index.js';
import { random } from '../test/support/random-rbac.js';

export interface Scale {
  readonly namespaces: number;
  readonly roleBindings: number;
  readonly serviceAccounts: number;
  /** Roles and ClusterRoles together; a fifth are ClusterRoles. */
  readonly roles: number;
  readonly clusterRoleBindings: number;
}

export const fullScale: Scale = {
  namespaces: 2000,
  roleBindings: 50_000,
  serviceAccounts: 10_000,
  roles: 5000,
  clusterRoleBindings: 1000,
};

export interface SyntheticCluster {
  readonly namespaces: string[];
  readonly serviceAccounts: { namespace: string; name: string }[];
  readonly snapshot: RbacSnapshot;
}

const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const resources = [
  'pods',
  'pods/log',
  'pods/exec',
  'deployments',
  'services',
  'configmaps',
  'secrets',
  'jobs',
  'ingresses',
  'widgets',
];
const groupOf: Record<string, string> = {
  deployments: 'apps',
  jobs: 'batch',
  ingresses: 'networking.k8s.io',
  widgets: 'example.com',
};

/** A deterministic large cluster shaped like a multi-tenant one: many namespaces, many bindings. */
export function syntheticCluster(scale: Scale, seed = 7, prefix = 'bench'): SyntheticCluster {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const rule = (): PolicyRule => {
    const resource = pick(resources);
    return {
      verbs: [...new Set([pick(verbs), pick(verbs)])],
      apiGroups: [groupOf[resource.split('/')[0]!] ?? ''],
      resources: [resource],
    };
  };
  const namespaces = Array.from({ length: scale.namespaces }, (_, n) => `${prefix}-ns-${n}`);
  const serviceAccounts = Array.from({ length: scale.serviceAccounts }, (_, n) => ({
    namespace: namespaces[n % namespaces.length]!,
    name: `${prefix}-sa-${n}`,
  }));
  const clusterRoleCount = Math.floor(scale.roles / 5);
  const clusterRoles: ClusterRole[] = Array.from({ length: clusterRoleCount }, (_, n) => ({
    kind: 'ClusterRole',
    metadata: { name: `${prefix}-cr-${n}` },
    rules: Array.from({ length: 1 + Math.floor(next() * 4) }, rule),
  }));
  const roles: Role[] = Array.from({ length: scale.roles - clusterRoleCount }, (_, n) => ({
    kind: 'Role',
    metadata: { name: `${prefix}-role-${n}`, namespace: namespaces[n % namespaces.length]! },
    rules: Array.from({ length: 1 + Math.floor(next() * 4) }, rule),
  }));
  const subject = (): Subject => {
    const roll = next();
    if (roll < 0.4)
      return {
        kind: 'User',
        name: `${prefix}-user-${Math.floor(next() * 5000)}`,
        apiGroup: 'rbac.authorization.k8s.io',
      };
    if (roll < 0.6)
      return {
        kind: 'Group',
        name: `${prefix}-group-${Math.floor(next() * 200)}`,
        apiGroup: 'rbac.authorization.k8s.io',
      };
    const account = pick(serviceAccounts);
    return { kind: 'ServiceAccount', name: account.name, namespace: account.namespace };
  };
  const rolesByNamespace = new Map<string, Role[]>();
  for (const role of roles)
    rolesByNamespace.set(role.metadata.namespace!, [
      ...(rolesByNamespace.get(role.metadata.namespace!) ?? []),
      role,
    ]);
  const roleBindings: RoleBinding[] = Array.from({ length: scale.roleBindings }, (_, n) => {
    const namespace = namespaces[n % namespaces.length]!;
    const local = rolesByNamespace.get(namespace) ?? [];
    const toRole = local.length > 0 && next() < 0.5;
    return {
      kind: 'RoleBinding',
      metadata: { name: `${prefix}-rb-${n}`, namespace },
      roleRef: toRole
        ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: pick(local).metadata.name }
        : {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: pick(clusterRoles).metadata.name,
          },
      subjects: Array.from({ length: 1 + Math.floor(next() * 3) }, subject),
    };
  });
  const clusterRoleBindings: ClusterRoleBinding[] = Array.from(
    { length: scale.clusterRoleBindings },
    (_, n) => ({
      kind: 'ClusterRoleBinding',
      metadata: { name: `${prefix}-crb-${n}` },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: pick(clusterRoles).metadata.name,
      },
      subjects: Array.from({ length: 1 + Math.floor(next() * 3) }, subject),
    }),
  );
  return {
    namespaces,
    serviceAccounts,
    snapshot: { roles, clusterRoles, roleBindings, clusterRoleBindings },
  };
}

/** Random questions about a synthetic cluster, with identities that exist in it. */
export function syntheticRequests(
  cluster: SyntheticCluster,
  count: number,
  seed = 11,
  prefix = 'bench',
): AccessRequest[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, () => {
    const account = next() < 0.4 ? pick(cluster.serviceAccounts) : undefined;
    const [resource, subresource] = pick(resources).split('/');
    return {
      user: account
        ? `system:serviceaccount:${account.namespace}:${account.name}`
        : `${prefix}-user-${Math.floor(next() * 5000)}`,
      groups: [`${prefix}-group-${Math.floor(next() * 200)}`, 'system:authenticated'],
      resourceAttributes: {
        verb: pick(verbs),
        group: groupOf[resource!] ?? '',
        resource: resource!,
        ...(subresource ? { subresource } : {}),
        namespace: pick(cluster.namespaces),
      },
    };
  });
}
