import { afterEach, describe, expect, it } from 'vitest';
import { randomRbac } from '../../test/support/random-rbac.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import {
  aggregateClusterRoles,
  effectivePermissions,
  type PolicyRule,
  ruleAllowsNonResource,
  ruleAllowsResource,
  type WhoCanQuery,
  whoCan,
} from '../rbac/index.js';
import type { ClusterRead } from './read-cluster.js';
import { targetsOf } from './role-targets.js';
import { resourceKeys } from './rule-keys.js';
import { scopedSource } from './scoped-source.js';
import { syncSource } from './source.js';
import { saveSyncRun } from './sync-runs.js';

function randomRead(seed: number) {
  const rbac = randomRbac(seed, 80);
  const read: ClusterRead = {
    namespaces: rbac.namespaces.map((name) => ({ metadata: { name } })),
    serviceAccounts: [],
    roles: rbac.roles,
    // A name with colons, as Kubernetes' own roles have (system:basic-user), granting everything.
    clusterRoles: [
      ...aggregateClusterRoles(rbac.clusterRoles),
      {
        kind: 'ClusterRole',
        metadata: { name: 'rbt:colon:everything' },
        rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      },
      // More (verb, resource) pairs than are stored one by one: their keys are stored coarser.
      {
        kind: 'ClusterRole',
        metadata: { name: 'rbt-wide' },
        rules: [
          {
            verbs: ['get', 'delete', ...Array.from({ length: 40 }, (_, n) => `verb-${n}`)],
            apiGroups: ['', 'apps'],
            resources: [
              'pods/exec',
              'secrets',
              'deployments/scale',
              ...Array.from({ length: 60 }, (_, n) => `things-${n}`),
            ],
          },
        ],
      },
      {
        kind: 'ClusterRole',
        metadata: { name: 'rbt-wider' },
        rules: [
          {
            verbs: Array.from({ length: 200 }, (_, n) => (n === 7 ? 'create' : `act-${n}`)),
            apiGroups: ['*'],
            resources: Array.from({ length: 200 }, (_, n) => (n === 9 ? 'configmaps' : `stuff-${n}`)),
            nonResourceURLs: ['/wide/*'],
          },
        ],
      },
      {
        kind: 'ClusterRole',
        metadata: { name: 'rbt-many-verbs' },
        rules: [
          {
            verbs: Array.from({ length: 150 }, (_, n) => (n === 90 ? 'patch' : `do-${n}`)),
            apiGroups: ['example.com'],
            resources: ['widgets', 'widgets/status'],
          },
        ],
      },
    ],
    roleBindings: [
      ...rbac.roleBindings,
      {
        kind: 'RoleBinding',
        metadata: { name: 'rbt-many-verbs', namespace: 'rbt-3' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbt-many-verbs' },
        subjects: [{ kind: 'Group', name: 'rbt-wide-group', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ],
    clusterRoleBindings: [
      ...rbac.clusterRoleBindings,
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'rbt:colon' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbt:colon:everything' },
        subjects: [{ kind: 'User', name: 'rbt-colon-user', apiGroup: 'rbac.authorization.k8s.io' }],
      },
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'rbt-wide' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbt-wide' },
        subjects: [{ kind: 'Group', name: 'rbt-wide-group', apiGroup: 'rbac.authorization.k8s.io' }],
      },
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'rbt-wider' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbt-wider' },
        subjects: [{ kind: 'Group', name: 'rbt-wide-group', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ],
    awsAuth: undefined,
    resourceVersions: {},
    errors: [],
  };
  return { read, rbac };
}

const asSet = (items: readonly unknown[]) => items.map((item) => JSON.stringify(item)).sort();

describe.each(dialects)('a sync read only as far as a question needs, on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('answers who-can in one namespace, across all and for URLs exactly as the whole snapshot does', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    for (const seed of [21, 22]) {
      const { read, rbac } = randomRead(seed);
      const at = `2026-12-01T0${seed - 20}:00:00.000Z`;
      const run = await saveSyncRun(
        fresh.store,
        {
          cluster: 'prod',
          server: 'x',
          startedAt: at,
          finishedAt: at,
          status: 'succeeded',
          counts: {},
          resourceVersions: {},
          errors: [],
        },
        read,
      );
      const whole = await syncSource(fresh.store, 'prod', run.id);
      let compared = 0;
      // Questions the wide role answers only through its coarser keys, and one it does not answer.
      const wide = [
        { verb: 'verb-3', resource: 'things-7', namespace: 'rbt-1', group: 'apps' },
        { verb: 'create', resource: 'configmaps', namespace: 'rbt-2', group: '' },
        { verb: 'act-150', resource: 'stuff-100', group: 'example.com' },
        {
          verb: 'patch',
          resource: 'widgets',
          subresource: 'status',
          namespace: 'rbt-3',
          group: 'example.com',
        },
        { verb: 'delete', resource: 'deployments', subresource: 'scale', namespace: 'rbt-0', group: 'apps' },
      ];
      for (const attributes of wide.slice(0, 4)) {
        const granted = whoCan(whole.index, { kind: 'resource', attributes, allNamespaces: true });
        expect(granted.map((grant) => grant.subject.name)).toContain('rbt-wide-group');
      }
      const questions = [...rbac.requests.flatMap((request) => request.resourceAttributes ?? []), ...wide];
      for (const attributes of questions) {
        const coarse = { kind: 'resource' as const, resource: attributes.resource };
        const exact = { ...coarse, allows: (rule: PolicyRule) => ruleAllowsResource(rule, attributes) };
        // Read by (verb, resource) keys, as the console asks.
        const resources = resourceKeys(attributes.resource, attributes.subresource);
        const keyed = { ...exact, keys: { verb: attributes.verb, resources } };
        for (const [allNamespaces, about] of [
          [false, coarse],
          [true, coarse],
          [false, exact],
          [true, exact],
          [false, keyed],
          [true, keyed],
        ] as const) {
          const query: WhoCanQuery = { kind: 'resource', attributes, allNamespaces };
          const scope = allNamespaces
            ? { kind: 'everything' as const, about }
            : { kind: 'namespace' as const, namespace: attributes.namespace ?? '', about };
          const scoped = await scopedSource(fresh.store, { cluster: 'prod', run: run.id, scope });
          expect(asSet(whoCan(scoped.index, query)), JSON.stringify(query)).toEqual(
            asSet(whoCan(whole.index, query)),
          );
          compared++;
        }
      }
      const urlRequests = [
        ...rbac.starRequests.map((request) => request.nonResourceAttributes!),
        { verb: 'create', path: '/wide/open' },
        { verb: 'get', path: '/metrics' },
      ];
      for (const attributes of urlRequests) {
        const query = { kind: 'non-resource' as const, attributes };
        const allows = (rule: PolicyRule) => ruleAllowsNonResource(rule, attributes);
        for (const keys of [undefined, { verb: attributes.verb, resources: ['/'] }]) {
          const about = { kind: 'url' as const, allows, ...(keys ? { keys } : {}) };
          const scoped = await scopedSource(fresh.store, {
            cluster: 'prod',
            run: run.id,
            scope: { kind: 'namespace', namespace: '', about },
          });
          expect(asSet(whoCan(scoped.index, query))).toEqual(asSet(whoCan(whole.index, query)));
        }
      }
      expect(compared).toBeGreaterThan(80);
    }
  }, 90_000);

  it("gives a subject's effective permissions, bindings and matched subjects as the whole snapshot does", async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { read, rbac } = randomRead(23);
    const at = '2026-12-01T05:00:00.000Z';
    await saveSyncRun(
      fresh.store,
      {
        cluster: 'prod',
        server: 'x',
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        counts: {},
        resourceVersions: {},
        errors: [],
      },
      read,
    );
    const whole = await syncSource(fresh.store, 'prod');
    for (const request of rbac.requests.slice(0, 40)) {
      const identity = { user: request.user, groups: request.groups ?? [] };
      const scoped = await scopedSource(fresh.store, {
        cluster: 'prod',
        scope: { kind: 'identity', ...identity },
      });
      expect(effectivePermissions(scoped.index, identity)).toEqual(
        effectivePermissions(whole.index, identity),
      );
    }
  });
});

describe('the resources a role names', () => {
  it('reduces each rule to base resources, a star for wildcards and a slash for URLs', () => {
    expect(
      targetsOf([
        { verbs: ['get'], apiGroups: [''], resources: ['pods/exec', 'pods', 'secrets'] },
        { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] },
        { verbs: ['get'], nonResourceURLs: ['/metrics'] },
      ]).sort(),
    ).toEqual(['*', '/', 'pods', 'secrets']);
    expect(targetsOf([])).toEqual([]);
  });
});
