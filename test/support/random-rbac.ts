import type {
  AccessRequest,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  Subject,
} from '../../src/rbac/index.js';

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomRbac {
  /** kube-system/aws-auth data mapping IAM roles and users onto the users and groups above. */
  readonly awsAuth: Record<string, string>;
  /** IAM principals (sessions of mapped roles, mapped users) to ask about through aws-auth. */
  readonly iamPrincipals: string[];
  readonly namespaces: string[];
  readonly clusterRoles: ClusterRole[];
  readonly roles: Role[];
  readonly clusterRoleBindings: ClusterRoleBinding[];
  readonly roleBindings: RoleBinding[];
  readonly requests: AccessRequest[];
  /** Non-resource questions for a user bound to rules ending in several stars (`/api**`). */
  readonly starRequests: AccessRequest[];
}

const prefix = 'rbt';
export const randomLabel = { 'gatehouse.dev/test': 'random-rbac' };

const verbs = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'escalate',
  'bind',
  'impersonate',
  '*',
];
const apiGroups = ['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'example.com', '*'];
const resources = [
  'pods',
  'pods/exec',
  'pods/log',
  'deployments',
  'deployments/scale',
  '*/scale',
  '*/status',
  'secrets',
  'configmaps',
  'jobs',
  'widgets',
  'roles',
  '*',
  '*/*',
];
const urls = ['/healthz', '/healthz/*', '/metrics', '/api/*', '/logs*', '*', '/api**', '/healthz/**', '**'];
const names = ['a', 'b', 'c'];

/**
 * Random RBAC objects covering every rule of the engine: wildcards, core group, subresources and
 * `*\/sub`, literal `*\/*`, resourceNames, nonResourceURLs, RoleBinding→ClusterRole, service
 * accounts with and without namespace, bindings to missing roles, aggregated ClusterRoles,
 * and requests from users, groups, service accounts and system:masters.
 */
export function randomRbac(seed: number, requestCount: number): RandomRbac {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const some = <T>(items: readonly T[], max: number): T[] => {
    const count = 1 + Math.floor(next() * max);
    return [...new Set(Array.from({ length: count }, () => pick(items)))];
  };
  const chance = (p: number) => next() < p;

  const namespaces = [0, 1, 2, 3].map((n) => `${prefix}-${n}`);
  const users = [0, 1, 2, 3, 4].map((n) => `${prefix}-user-${n}`);
  const groups = [0, 1, 2, 3].map((n) => `${prefix}-group-${n}`);
  const accounts = [0, 1].map((n) => `${prefix}-sa-${n}`);

  const resourceRule = (): PolicyRule => ({
    verbs: some(verbs, 3),
    apiGroups: some(apiGroups, 2),
    resources: some(resources, 3),
    ...(chance(0.25) ? { resourceNames: some(names, 2) } : {}),
  });
  const urlRule = (): PolicyRule => ({
    verbs: some(['get', 'post', '*'], 2),
    nonResourceURLs: some(urls, 2),
  });
  const subject = (inRoleBinding: boolean): Subject => {
    const kind = pick(['User', 'Group', 'ServiceAccount'] as const);
    if (kind === 'User') return { kind, name: pick(users), apiGroup: 'rbac.authorization.k8s.io' };
    if (kind === 'Group') return { kind, name: pick(groups), apiGroup: 'rbac.authorization.k8s.io' };
    // Only RoleBindings may omit a ServiceAccount's namespace (the API rejects it elsewhere).
    return inRoleBinding && chance(0.5)
      ? { kind, name: pick(accounts) }
      : { kind, name: pick(accounts), namespace: pick(namespaces) };
  };

  const clusterRoleNames = Array.from({ length: 25 }, (_, n) => `${prefix}-cr-${n}`);
  const clusterRoles: ClusterRole[] = clusterRoleNames.map((name) => ({
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { ...randomLabel, ...(chance(0.4) ? { [`${prefix}-agg`]: pick(['a', 'b']) } : {}) },
    },
    rules: Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
      chance(0.2) ? urlRule() : resourceRule(),
    ),
  }));
  const aggregated: ClusterRole[] = [
    { matchLabels: { [`${prefix}-agg`]: 'a' } },
    { matchExpressions: [{ key: `${prefix}-agg`, operator: 'In' as const, values: ['a', 'b'] }] },
    {
      matchExpressions: [
        { key: `${prefix}-agg`, operator: 'NotIn' as const, values: ['a'] },
        { key: `${prefix}-agg`, operator: 'Exists' as const },
      ],
    },
  ].map((selector, n) => ({
    kind: 'ClusterRole',
    metadata: { name: `${prefix}-aggregate-${n}`, labels: { ...randomLabel } },
    rules: [],
    aggregationRule: { clusterRoleSelectors: [selector] },
  }));
  const allClusterRoles = [...clusterRoles, ...aggregated];
  const roles: Role[] = namespaces.flatMap((namespace) =>
    [0, 1, 2].map((n) => ({
      kind: 'Role' as const,
      metadata: { name: `${prefix}-role-${n}`, namespace, labels: { ...randomLabel } },
      rules: Array.from({ length: 1 + Math.floor(next() * 2) }, resourceRule),
    })),
  );
  const clusterRoleRef = () => (chance(0.1) ? `${prefix}-missing` : pick(allClusterRoles).metadata.name);
  const clusterRoleBindings: ClusterRoleBinding[] = Array.from({ length: 15 }, (_, n) => ({
    kind: 'ClusterRoleBinding',
    metadata: { name: `${prefix}-crb-${n}`, labels: { ...randomLabel } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleRef() },
    subjects: Array.from({ length: 1 + Math.floor(next() * 3) }, () => subject(false)),
  }));
  const roleBindings: RoleBinding[] = namespaces.flatMap((namespace) =>
    [0, 1, 2, 3, 4].map((n) => {
      const toRole = chance(0.5);
      return {
        kind: 'RoleBinding' as const,
        metadata: { name: `${prefix}-rb-${n}`, namespace, labels: { ...randomLabel } },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: toRole ? ('Role' as const) : ('ClusterRole' as const),
          name: toRole
            ? chance(0.15)
              ? `${prefix}-missing`
              : `${prefix}-role-${Math.floor(next() * 3)}`
            : clusterRoleRef(),
        },
        subjects: Array.from({ length: 1 + Math.floor(next() * 3) }, () => subject(true)),
      };
    }),
  );

  const requester = (): { user: string; groups: string[] } => {
    const asAccount = chance(0.3);
    const user = asAccount
      ? `system:serviceaccount:${pick([...namespaces, 'elsewhere'])}:${pick(accounts)}`
      : pick(users);
    const extra = chance(0.4) ? some(groups, 2) : [];
    if (asAccount && chance(0.7)) extra.push('system:serviceaccounts', 'system:authenticated');
    else if (chance(0.3)) extra.push('system:authenticated');
    if (chance(0.03)) extra.push('system:masters');
    return { user, groups: extra };
  };
  const requests: AccessRequest[] = Array.from({ length: requestCount }, () => {
    const who = requester();
    if (chance(0.15)) {
      return {
        ...who,
        nonResourceAttributes: {
          verb: pick(['get', 'post', 'put']),
          path: pick([
            '/healthz',
            '/healthz/etcd',
            '/metrics',
            '/api',
            '/api/v1',
            '/apis',
            '/version',
            '/logs',
            '/logs/kube',
          ]),
        },
      };
    }
    const [resource, subresource] = pick(resources.filter((r) => !r.startsWith('*'))).split('/');
    return {
      ...who,
      resourceAttributes: {
        verb: pick(verbs.filter((v) => v !== '*')),
        group: pick(apiGroups.filter((g) => g !== '*')),
        resource: resource!,
        ...(subresource
          ? { subresource }
          : chance(0.2)
            ? { subresource: pick(['exec', 'scale', 'status', 'log']) }
            : {}),
        ...(chance(0.3) ? { name: pick([...names, 'z']) } : {}),
        ...(chance(0.8) ? { namespace: pick([...namespaces, 'elsewhere']) } : {}),
      },
    };
  });
  const account = '111122223333';
  const mapRoles = [0, 1, 2, 3].map((n) => ({
    rolearn: `arn:aws:iam::${account}:role/${prefix}-role-${n}`,
    username: chance(0.5) ? `${pick(users)}` : `${prefix}-user-{{SessionName}}`,
    groups: some(groups, 2),
  }));
  const mapUsers = [0, 1].map((n) => ({
    userarn: `arn:aws:iam::${account}:user/${prefix}-iam-${n}`,
    username: pick(users),
    groups: some(groups, 1),
  }));
  const awsAuth = {
    mapRoles: mapRoles
      .map(
        (role) =>
          `- rolearn: ${role.rolearn}\n  username: "${role.username}"\n  groups: [${role.groups.join(', ')}]\n`,
      )
      .join(''),
    mapUsers: mapUsers
      .map(
        (user) =>
          `- userarn: ${user.userarn}\n  username: ${user.username}\n  groups: [${user.groups.join(', ')}]\n`,
      )
      .join(''),
  };
  const iamPrincipals = [
    ...mapRoles.flatMap((_role, n) => [
      `arn:aws:sts::${account}:assumed-role/${prefix}-role-${n}/${n % 2 === 0 ? '1' : '3'}@example.com`,
    ]),
    ...mapUsers.map((user) => user.userarn),
  ];
  const stars = starRules();
  return {
    awsAuth,
    iamPrincipals,
    namespaces,
    clusterRoles: [...allClusterRoles, stars.clusterRole],
    roles,
    clusterRoleBindings: [...clusterRoleBindings, stars.clusterRoleBinding],
    roleBindings,
    requests,
    starRequests: stars.requests,
  };
}

/**
 * A fixed role whose URLs end in runs of stars, and the paths to ask about: the authorizer trims
 * every trailing star, so `/api**` covers `/api/v1`; a star inside a URL stays literal.
 */
function starRules(): {
  clusterRole: ClusterRole;
  clusterRoleBinding: ClusterRoleBinding;
  requests: AccessRequest[];
} {
  const name = `${prefix}-stars`;
  const user = `${prefix}-stars-user`;
  const paths = [
    '/api',
    '/api/v1',
    '/apis/apps',
    '/ap',
    '/healthz',
    '/healthz/etcd',
    '/lo*x',
    '/lo*xy',
    '/loyx',
  ];
  return {
    clusterRole: {
      kind: 'ClusterRole',
      metadata: { name, labels: { ...randomLabel } },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/api**', '/healthz/***', '/lo*x**'] }],
    },
    clusterRoleBinding: {
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: { ...randomLabel } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    },
    requests: paths.flatMap((path) =>
      ['get', 'post'].map((verb) => ({ user, groups: [], nonResourceAttributes: { verb, path } })),
    ),
  };
}
