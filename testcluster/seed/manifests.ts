/**
 * The seeded state of the test cluster: namespaces (application and every system namespace the
 * forensics target list hides), workloads, service accounts, RBAC covering the semantics the
 * engine must get right, and an EKS-style aws-auth ConfigMap.
 */

import { systemNamespaces as forensicsSystemNamespaces } from '../../src/forensics/index.js';

type Manifest = Record<string, unknown>;

export const profilesAnnotation = 'testcluster.gatehouse.dev/profiles';
export const applicationNamespaces = ['payments', 'storefront', 'data', 'dev'] as const;
/** Every namespace the forensics target list hides: the seed puts pods in each of them. */
export const systemNamespaces = [...forensicsSystemNamespaces];

const seedLabel = { 'app.kubernetes.io/part-of': 'gatehouse-testcluster' };

interface ContainerSeed {
  readonly name: string;
  readonly image: string;
  readonly profile: string;
}

function podSpec(serviceAccount: string, containers: readonly ContainerSeed[]): Manifest {
  return {
    serviceAccountName: serviceAccount,
    containers: containers.map((c) => ({ name: c.name, image: c.image })),
  };
}

function profiles(containers: readonly ContainerSeed[]): string {
  return containers.map((c) => `${c.name}=${c.profile}`).join(',');
}

function pod(
  namespace: string,
  name: string,
  serviceAccount: string,
  containers: readonly ContainerSeed[],
): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { ...seedLabel, app: name },
      annotations: { [profilesAnnotation]: profiles(containers) },
    },
    spec: podSpec(serviceAccount, containers),
  };
}

function deployment(
  namespace: string,
  name: string,
  replicas: number,
  serviceAccount: string,
  containers: readonly ContainerSeed[],
): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...seedLabel, app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { ...seedLabel, app: name },
          annotations: { [profilesAnnotation]: profiles(containers) },
        },
        spec: podSpec(serviceAccount, containers),
      },
    },
  };
}

const namespace = (name: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: seedLabel },
});
const serviceAccount = (ns: string, name: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: ns, labels: seedLabel },
});

type Rule = Record<string, readonly string[]>;
const rbac = 'rbac.authorization.k8s.io/v1';

const clusterRole = (
  name: string,
  rules: readonly Rule[],
  labels: Record<string, string> = {},
): Manifest => ({
  apiVersion: rbac,
  kind: 'ClusterRole',
  metadata: { name, labels: { ...seedLabel, ...labels } },
  rules,
});
const role = (ns: string, name: string, rules: readonly Rule[]): Manifest => ({
  apiVersion: rbac,
  kind: 'Role',
  metadata: { name, namespace: ns, labels: seedLabel },
  rules,
});

type Subject =
  | { kind: 'User' | 'Group'; name: string }
  | { kind: 'ServiceAccount'; name: string; namespace: string };
const user = (name: string): Subject => ({ kind: 'User', name });
const group = (name: string): Subject => ({ kind: 'Group', name });
const sa = (ns: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace: ns });
const withApiGroup = (subject: Subject) =>
  subject.kind === 'ServiceAccount' ? subject : { ...subject, apiGroup: 'rbac.authorization.k8s.io' };

const clusterRoleBinding = (name: string, roleName: string, subjects: readonly Subject[]): Manifest => ({
  apiVersion: rbac,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: seedLabel },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects: subjects.map(withApiGroup),
});
const roleBinding = (
  ns: string,
  name: string,
  roleKind: 'Role' | 'ClusterRole',
  roleName: string,
  subjects: readonly Subject[],
): Manifest => ({
  apiVersion: rbac,
  kind: 'RoleBinding',
  metadata: { name, namespace: ns, labels: seedLabel },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
  subjects: subjects.map(withApiGroup),
});

const awsAuth: Manifest = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'aws-auth', namespace: 'kube-system', labels: seedLabel },
  data: {
    mapRoles: [
      '- rolearn: arn:aws:iam::111122223333:role/eks-node-group',
      '  username: system:node:{{EC2PrivateDNSName}}',
      '  groups:',
      '    - system:bootstrappers',
      '    - system:nodes',
      '- rolearn: arn:aws:iam::111122223333:role/platform-admin',
      '  username: platform-admin:{{SessionName}}',
      '  groups:',
      '    - platform-admins',
      '- rolearn: arn:aws:iam::111122223333:role/payments-oncall',
      '  username: payments-oncall:{{SessionName}}',
      '  groups:',
      '    - payments-oncall',
      '- rolearn: arn:aws:iam::111122223333:role/break-glass',
      '  username: break-glass:{{AccountID}}',
      '  groups:',
      '    - system:masters',
      '',
    ].join('\n'),
    mapUsers: [
      '- userarn: arn:aws:iam::111122223333:user/alice',
      '  username: alice@example.com',
      '- userarn: arn:aws:iam::111122223333:user/legacy-ci',
      '  username: legacy-ci',
      '  groups:',
      '    - system:masters',
      '',
    ].join('\n'),
    mapAccounts: '- "444455556666"\n',
  },
};

const podReader: Rule = { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] };
const podExec: Rule = { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] };

function rbacObjects(): Manifest[] {
  return [
    clusterRole('seed:pod-reader', [podReader]),
    clusterRole('seed:pod-exec', [podReader, podExec]),
    clusterRole('seed:ops-superuser', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    clusterRole('seed:metrics-scraper', [{ nonResourceURLs: ['/metrics', '/healthz/*'], verbs: ['get'] }]),
    clusterRole('seed:impersonator', [
      { apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind', 'escalate'] },
    ]),
    {
      ...clusterRole('seed:monitoring', []),
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.gatehouse.dev/aggregate-to-monitoring': 'true' } }],
      },
    },
    clusterRole('seed:monitoring-pods', [podReader], {
      'rbac.gatehouse.dev/aggregate-to-monitoring': 'true',
    }),
    clusterRole(
      'seed:monitoring-nodes',
      [{ apiGroups: [''], resources: ['nodes', 'nodes/proxy'], verbs: ['get', 'list'] }],
      {
        'rbac.gatehouse.dev/aggregate-to-monitoring': 'true',
      },
    ),
    clusterRoleBinding('seed:platform-admins', 'cluster-admin', [group('platform-admins')]),
    clusterRoleBinding('seed:alice-view', 'view', [user('alice@example.com')]),
    clusterRoleBinding('seed:carol-superuser', 'seed:ops-superuser', [user('carol@example.com')]),
    clusterRoleBinding('seed:monitoring', 'seed:monitoring', [sa('kube-system', 'metrics-agent')]),
    clusterRoleBinding('seed:metrics', 'seed:metrics-scraper', [group('system:authenticated')]),
    clusterRoleBinding('seed:ci-impersonator', 'seed:impersonator', [sa('dev', 'ci-deployer')]),
    role('payments', 'secret-reader', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['db-password'] },
    ]),
    role('dev', 'exec-in-dev', [podReader, podExec]),
    roleBinding('payments', 'bob-edit', 'ClusterRole', 'edit', [user('bob@example.com')]),
    roleBinding('payments', 'oncall-exec', 'ClusterRole', 'seed:pod-exec', [group('payments-oncall')]),
    roleBinding('payments', 'api-secrets', 'Role', 'secret-reader', [sa('payments', 'payments-api')]),
    roleBinding('payments', 'legacy-binding', 'Role', 'does-not-exist', [user('dave@example.com')]),
    roleBinding('dev', 'exec-tester', 'Role', 'exec-in-dev', [sa('dev', 'exec-tester')]),
    roleBinding('dev', 'no-exec-tester', 'ClusterRole', 'seed:pod-reader', [sa('dev', 'no-exec-tester')]),
    roleBinding('storefront', 'frontend-readers', 'ClusterRole', 'seed:pod-reader', [
      sa('storefront', 'frontend'),
      group('storefront-devs'),
    ]),
  ];
}

const busybox = (name: string, profile = 'shell') => ({
  name,
  image: 'docker.io/library/busybox:1.36.1',
  profile,
});

function workloads(): Manifest[] {
  return [
    deployment('payments', 'payments-api', 2, 'payments-api', [
      { name: 'api', image: 'ghcr.io/example/payments-api:2.4.1', profile: 'api' },
    ]),
    pod('payments', 'ledger', 'ledger', [
      { name: 'ledger', image: 'ghcr.io/example/ledger:1.9.0', profile: 'worker' },
      { name: 'log-shipper', image: 'docker.io/fluent/fluent-bit:3.1.9', profile: 'sidecar' },
    ]),
    pod('payments', 'token-signer', 'token-signer', [
      { name: 'signer', image: 'gcr.io/distroless/static-debian12:nonroot', profile: 'distroless' },
    ]),
    deployment('storefront', 'frontend', 2, 'frontend', [
      { name: 'nginx', image: 'docker.io/library/nginx:1.27-alpine', profile: 'web' },
    ]),
    // No shell, but nothing in the image name says so: only a shell probe finds out.
    pod('payments', 'pdf-renderer', 'default', [
      { name: 'renderer', image: 'ghcr.io/example/pdf-renderer:3.2.0', profile: 'distroless' },
    ]),
    pod('storefront', 'legacy-cart', 'cart', [
      { name: 'php', image: 'docker.io/library/php:7.4-fpm-alpine', profile: 'planted' },
    ]),
    deployment('data', 'etl-worker', 1, 'etl', [
      { name: 'worker', image: 'docker.io/library/python:3.12-alpine', profile: 'worker' },
    ]),
    pod('dev', 'debug-shell', 'default', [busybox('shell')]),
    pod('dev', 'exec-target', 'default', [busybox('main')]),
    pod('dev', 'hostile', 'default', [busybox('main')]),
    deployment('kube-system', 'coredns', 1, 'coredns', [
      { name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', profile: 'system' },
    ]),
    pod('kube-system', 'kube-proxy-node0', 'kube-proxy', [
      { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.36.3', profile: 'system' },
    ]),
    pod('kube-public', 'cluster-info-publisher', 'default', [busybox('publisher')]),
    pod('kube-node-lease', 'lease-renewer', 'default', [busybox('renewer')]),
    pod('gke-gmp-system', 'gmp-operator', 'default', [
      { name: 'operator', image: 'gke.gcr.io/prometheus-engine/operator:v0.13.0', profile: 'system' },
    ]),
    pod('aks-command', 'command-runner', 'default', [busybox('runner')]),
    pod('gmp-system', 'collector', 'default', [
      { name: 'prometheus', image: 'gke.gcr.io/prometheus-engine/prometheus:v2.45.3', profile: 'system' },
    ]),
    pod('calico-system', 'calico-node', 'calico-node', [
      { name: 'calico-node', image: 'docker.io/calico/node:v3.28.2', profile: 'system' },
    ]),
    pod('tigera-operator', 'tigera-operator', 'tigera-operator', [
      { name: 'tigera-operator', image: 'quay.io/tigera/operator:v1.34.5', profile: 'system' },
    ]),
  ];
}

const serviceAccounts: readonly (readonly [string, string])[] = [
  ['payments', 'payments-api'],
  ['payments', 'ledger'],
  ['payments', 'token-signer'],
  ['storefront', 'frontend'],
  ['storefront', 'cart'],
  ['data', 'etl'],
  ['dev', 'ci-deployer'],
  ['dev', 'exec-tester'],
  ['dev', 'no-exec-tester'],
  ['kube-system', 'coredns'],
  ['kube-system', 'kube-proxy'],
  ['kube-system', 'metrics-agent'],
  ['calico-system', 'calico-node'],
  ['tigera-operator', 'tigera-operator'],
];

/** Objects in apply order: namespaces first, then identities and RBAC, then workloads. */
export function seedManifests(): Manifest[] {
  return [
    ...[...applicationNamespaces, ...systemNamespaces.filter((ns) => !ns.startsWith('kube-'))].map(namespace),
    ...serviceAccounts.map(([ns, name]) => serviceAccount(ns, name)),
    ...rbacObjects(),
    awsAuth,
    ...workloads(),
  ];
}

/** How many pods the seed creates (deployment replicas and bare pods). */
export function expectedPodCount(): number {
  return workloads().reduce((sum, workload) => {
    const spec = workload.spec as { replicas?: number };
    return sum + (workload.kind === 'Deployment' ? (spec.replicas ?? 1) : 1);
  }, 0);
}
