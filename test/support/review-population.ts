import type { ClusterRead } from '../../src/inventory/index.js';
import type { ClusterRole, PolicyRule, Subject } from '../../src/rbac/index.js';
import type { EventShape } from '../../src/usage/test-events.js';
import { random } from './random-rbac.js';

const rbacGroup = 'rbac.authorization.k8s.io';

export interface PopulationSize {
  readonly seed: number;
  readonly namespaces: number;
  readonly users: number;
  readonly groups: number;
  readonly accountsPerNamespace: number;
  /** RoleBindings per namespace; each names one to three subjects. */
  readonly bindingsPerNamespace: number;
  readonly clusterBindings: number;
  readonly iamRoles: number;
}

/** A cluster for reviews and the audit events its subjects could have made. */
export interface ReviewPopulation {
  readonly read: ClusterRead;
  /** `count` events spread over `from`..`to` (ms), some of them outside every grant. */
  events(count: number, from: number, to: number): EventShape[];
}

const resources: readonly (readonly [string, string, string?])[] = [
  ['', 'pods'],
  ['', 'pods', 'log'],
  ['', 'pods', 'exec'],
  ['', 'configmaps'],
  ['', 'secrets'],
  ['apps', 'deployments'],
  ['batch', 'jobs'],
  ['rbac.authorization.k8s.io', 'rolebindings'],
];
const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/**
 * A seeded, reproducible cluster of many subjects and bindings (users, groups, ServiceAccounts and
 * IAM roles mapped through aws-auth), with roles of random rules, some limited to names: for
 * tests that compare two ways of answering usage, and for benchmarks of large campaigns.
 */
export function reviewPopulation(size: PopulationSize): ReviewPopulation {
  const next = random(size.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const namespaces = Array.from({ length: size.namespaces }, (_, index) => `team-${index}`);
  const users = Array.from({ length: size.users }, (_, index) => `user-${index}`);
  const groups = Array.from({ length: size.groups }, (_, index) => `group-${index}`);
  const arns = Array.from(
    { length: size.iamRoles },
    (_, index) => `arn:aws:iam::111122223333:role/Role${index}`,
  );
  const rule = (): PolicyRule => {
    const [apiGroup, resource, subresource] = pick(resources);
    const named = next() < 0.2;
    return {
      apiGroups: [next() < 0.1 ? '*' : apiGroup],
      resources: [subresource ? `${resource}/${subresource}` : next() < 0.1 ? '*' : resource],
      verbs: [...new Set([pick(verbs), pick(verbs)])],
      ...(named ? { resourceNames: [`${resource}-${Math.floor(next() * 4)}`] } : {}),
    };
  };
  const clusterRoles: ClusterRole[] = Array.from({ length: 12 }, (_, index) => ({
    kind: 'ClusterRole' as const,
    metadata: { name: `role-${index}` },
    rules: Array.from({ length: 1 + Math.floor(next() * 4) }, rule),
  }));
  const subject = (namespace: string): Subject => {
    const kind = next();
    if (kind < 0.45) return { kind: 'User', name: pick(users), apiGroup: rbacGroup };
    if (kind < 0.7) return { kind: 'Group', name: pick(groups), apiGroup: rbacGroup };
    if (kind < 0.85)
      return { kind: 'Group', name: `iam-${Math.floor(next() * size.iamRoles)}`, apiGroup: rbacGroup };
    return {
      kind: 'ServiceAccount',
      name: `sa-${Math.floor(next() * size.accountsPerNamespace)}`,
      namespace,
    };
  };
  const subjects = (namespace: string) =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () => subject(namespace));
  const read: ClusterRead = {
    namespaces: namespaces.map((name) => ({ metadata: { name } })),
    serviceAccounts: namespaces.flatMap((namespace) =>
      Array.from({ length: size.accountsPerNamespace }, (_, index) => ({
        metadata: { name: `sa-${index}`, namespace },
      })),
    ),
    roles: namespaces.map((namespace) => ({
      kind: 'Role',
      metadata: { name: 'local', namespace },
      rules: Array.from({ length: 2 }, rule),
    })),
    clusterRoles,
    roleBindings: namespaces.flatMap((namespace) =>
      Array.from({ length: size.bindingsPerNamespace }, (_, index) => ({
        kind: 'RoleBinding',
        metadata: { name: `binding-${index}`, namespace },
        roleRef:
          next() < 0.2
            ? { apiGroup: rbacGroup, kind: 'Role', name: 'local' }
            : { apiGroup: rbacGroup, kind: 'ClusterRole', name: pick(clusterRoles).metadata.name },
        subjects: subjects(namespace),
      })),
    ),
    clusterRoleBindings: Array.from({ length: size.clusterBindings }, (_, index) => ({
      kind: 'ClusterRoleBinding',
      metadata: { name: `cluster-binding-${index}` },
      roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: pick(clusterRoles).metadata.name },
      subjects: subjects(pick(namespaces)),
    })),
    awsAuth: {
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles: arns
          .map(
            (arn, index) =>
              `- rolearn: ${arn}\n  username: iam-user-${index}\n  groups:\n    - iam-${index}\n`,
          )
          .join(''),
      },
    },
    resourceVersions: {},
    errors: [],
  };
  const who = (): Pick<EventShape, 'user' | 'groups' | 'extra'> => {
    const kind = next();
    if (kind < 0.5)
      return { user: pick(users), groups: [pick(groups), pick(groups), 'system:authenticated'] };
    if (kind < 0.8) {
      const index = Math.floor(next() * size.iamRoles);
      const arn = `arn:aws:sts::111122223333:assumed-role/Role${index}/session`;
      return {
        user: `iam-user-${index}`,
        groups: [`iam-${index}`, 'system:authenticated'],
        extra: { arn: [arn] },
      };
    }
    const namespace = pick(namespaces);
    const account = `sa-${Math.floor(next() * size.accountsPerNamespace)}`;
    return {
      user: `system:serviceaccount:${namespace}:${account}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    };
  };
  const event = (from: number, to: number): EventShape => {
    const [apiGroup, resource, subresource] = pick(resources);
    const verb = subresource === 'exec' ? 'create' : pick(verbs);
    return {
      ...who(),
      verb,
      apiGroup,
      resource,
      ...(subresource ? { subresource } : {}),
      namespace: next() < 0.05 ? '' : pick(namespaces),
      ...(next() < 0.6 ? { name: `${resource}-${Math.floor(next() * 4)}` } : {}),
      at: new Date(from + Math.floor(next() * (to - from))).toISOString(),
    };
  };
  return { read, events: (count, from, to) => Array.from({ length: count }, () => event(from, to)) };
}
