import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { readCluster } from '../../src/inventory/read-cluster.js';
import { KubeClient, loadKubeconfig, subjectCan } from '../../src/kube/index.js';
import {
  type AccessRequest,
  aggregateClusterRoles,
  parseAwsAuth,
  RbacIndex,
  type RbacSnapshot,
  resolveIamPrincipal,
} from '../../src/rbac/index.js';
import { cli } from '../support/cli.js';
import { type RandomRbac, randomLabel, randomRbac } from '../support/random-rbac.js';

const seed = Number(process.env.GATEHOUSE_RBAC_SEED ?? 20261122);
const requestCount = 3000;
const rbacApi = '/apis/rbac.authorization.k8s.io/v1';
const labelSelector = Object.entries(randomLabel)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

async function apply(client: KubeClient, generated: RandomRbac): Promise<void> {
  for (const name of generated.namespaces) {
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name, labels: randomLabel } },
    });
  }
  const create = (path: string, body: object) =>
    client.request({ method: 'POST', path, body: { apiVersion: 'rbac.authorization.k8s.io/v1', ...body } });
  await Promise.all(generated.clusterRoles.map((role) => create(`${rbacApi}/clusterroles`, role)));
  await Promise.all(
    generated.roles.map((role) => create(`${rbacApi}/namespaces/${role.metadata.namespace}/roles`, role)),
  );
  await Promise.all(
    generated.clusterRoleBindings.map((binding) => create(`${rbacApi}/clusterrolebindings`, binding)),
  );
  await Promise.all(
    generated.roleBindings.map((binding) =>
      create(`${rbacApi}/namespaces/${binding.metadata.namespace}/rolebindings`, binding),
    ),
  );
}

async function cleanUp(client: KubeClient, generated: RandomRbac): Promise<void> {
  const remove = (path: string) =>
    client.request({ method: 'DELETE', path, query: { labelSelector } }).catch(() => undefined);
  await remove(`${rbacApi}/clusterroles`);
  await remove(`${rbacApi}/clusterrolebindings`);
  for (const name of generated.namespaces)
    await client.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}` }).catch(() => undefined);
}

function snapshotOf(read: Awaited<ReturnType<typeof readCluster>>): RbacSnapshot {
  return {
    roles: read.roles,
    clusterRoles: read.clusterRoles,
    roleBindings: read.roleBindings,
    clusterRoleBindings: read.clusterRoleBindings,
  };
}

/** The aggregation controller works asynchronously: wait until the live rules settle on ours. */
async function settledSnapshot(client: KubeClient): Promise<RbacSnapshot> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const live = snapshotOf(await readCluster(client));
    const recomputed = aggregateClusterRoles(live.clusterRoles);
    if (
      JSON.stringify(recomputed.map((role) => role.rules)) ===
      JSON.stringify(live.clusterRoles.map((role) => role.rules))
    )
      return live;
    await sleep(250);
  }
  throw new Error('the live aggregated ClusterRoles never matched the offline recomputation');
}

async function serverAnswers(client: KubeClient, requests: readonly AccessRequest[]): Promise<boolean[]> {
  const answers: boolean[] = new Array(requests.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < requests.length) {
      const index = nextIndex++;
      answers[index] = (await subjectCan(client, requests[index]!)).allowed;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return answers;
}

describe(`the RBAC engine against the apiserver's authorizer (seed ${seed})`, () => {
  const client = new KubeClient(loadKubeconfig({ path: inject('kubeconfig') }).config);
  const generated = randomRbac(seed, requestCount);
  let live: RbacSnapshot;
  let expected: boolean[];

  beforeAll(async () => {
    await cleanUp(client, generated);
    for (let attempt = 0; attempt < 60; attempt++) {
      const left = await client.request<{ items: unknown[] }>({
        path: '/api/v1/namespaces',
        query: { labelSelector },
      });
      if (left.items.length === 0) break;
      await sleep(500);
    }
    await apply(client, generated);
    live = await settledSnapshot(client);
    expected = await serverAnswers(client, generated.requests);
  }, 300_000);

  afterAll(async () => {
    await cleanUp(client, generated);
  });

  function mismatches(index: RbacIndex): string[] {
    return generated.requests.flatMap((request, n) =>
      index.authorize(request).allowed === expected[n]
        ? []
        : [`#${n} server=${expected[n]} engine=${!expected[n]} ${JSON.stringify(request)}`],
    );
  }

  it(`agrees with every one of ${requestCount} SubjectAccessReviews on the live snapshot`, () => {
    expect(expected.filter(Boolean).length).toBeGreaterThan(requestCount / 10);
    expect(expected.filter((allowed) => !allowed).length).toBeGreaterThan(requestCount / 10);
    expect(mismatches(new RbacIndex(live))).toEqual([]);
  });

  it('agrees on nonResourceURLs ending in several stars (/api** covers /api/v1)', async () => {
    const server = await serverAnswers(client, generated.starRequests);
    const allowedPaths = generated.starRequests.flatMap((request, n) =>
      server[n] ? [`${request.nonResourceAttributes?.verb} ${request.nonResourceAttributes?.path}`] : [],
    );
    expect(allowedPaths).toContain('get /api/v1');
    expect(allowedPaths).toContain('get /healthz/etcd');
    const index = new RbacIndex(live);
    expect(
      generated.starRequests.flatMap((request, n) =>
        index.authorize(request).allowed === server[n] ? [] : [JSON.stringify(request)],
      ),
    ).toEqual([]);
  });

  it('answers the same through `gatehouse rbac sync` and `rbac can-i --batch`', async () => {
    const dir = join(tmpdir(), `gatehouse-batch-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const batch = join(dir, 'specs.jsonl');
    writeFileSync(batch, generated.requests.map((request) => JSON.stringify(request)).join('\n'));
    const env = { GATEHOUSE_HOME: join(dir, 'home') };
    const kubeconfig = inject('kubeconfig');
    expect((await cli(['--kubeconfig', kubeconfig, 'rbac', 'sync'], env)).code).toBe(0);
    const run = await cli(['--kubeconfig', kubeconfig, 'rbac', 'can-i', '--batch', batch, '-o', 'json'], env);
    expect(run.code).toBe(0);
    const answers = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).allowed as boolean);
    expect(answers).toHaveLength(requestCount);
    expect(answers.flatMap((allowed, n) => (allowed === expected[n] ? [] : [n]))).toEqual([]);
  });

  it('answers the same offline from a directory of manifests (-f), aggregation recomputed', async () => {
    const dir = join(tmpdir(), `gatehouse-manifests-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const offline = live.clusterRoles.map((role) => (role.aggregationRule ? { ...role, rules: [] } : role));
    const objects = [...offline, ...live.roles, ...live.clusterRoleBindings, ...live.roleBindings];
    writeFileSync(
      join(dir, 'rbac.yaml'),
      objects
        .map((object) =>
          stringify({
            apiVersion: 'rbac.authorization.k8s.io/v1',
            ...object,
            metadata: {
              name: object.metadata.name,
              ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
              ...(object.metadata.labels ? { labels: object.metadata.labels } : {}),
            },
          }),
        )
        .join('---\n'),
    );
    const batch = join(dir, 'specs.jsonl');
    writeFileSync(batch, generated.requests.map((request) => JSON.stringify(request)).join('\n'));
    const run = await cli(['rbac', 'can-i', '--batch', batch, '-f', dir, '-o', 'json'], {
      GATEHOUSE_HOME: join(dir, 'home'),
    });
    const answers = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).allowed as boolean);
    expect(answers.flatMap((allowed, n) => (allowed === expected[n] ? [] : [n]))).toEqual([]);
  });

  it('agrees for IAM principals mapped through aws-auth (templates, assumed-role sessions, users)', async () => {
    const awsAuth = parseAwsAuth(generated.awsAuth);
    expect(awsAuth.problems).toEqual([]);
    const identities = generated.iamPrincipals.map((arn) => {
      const identity = resolveIamPrincipal({ arn }, { awsAuth });
      if (!identity) throw new Error(`${arn} did not map`);
      // EKS authenticates the mapped identity; the apiserver then adds system:authenticated.
      return { user: identity.username, groups: [...identity.groups, 'system:authenticated'] };
    });
    expect(identities.some((identity) => identity.user.endsWith('-1-example.com'))).toBe(true);
    const requests = identities.flatMap((identity) =>
      generated.requests
        .slice(0, 150)
        .map((request) => ({ ...request, user: identity.user, groups: identity.groups })),
    );
    const server = await serverAnswers(client, requests);
    const index = new RbacIndex(live);
    expect(
      requests.flatMap((request, n) => (index.authorize(request).allowed === server[n] ? [] : [n])),
    ).toEqual([]);
    expect(server.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('agrees when aggregated ClusterRoles are recomputed offline from empty rules', () => {
    const offline = live.clusterRoles.map((role) => (role.aggregationRule ? { ...role, rules: [] } : role));
    expect(mismatches(new RbacIndex({ ...live, clusterRoles: aggregateClusterRoles(offline) }))).toEqual([]);
  });
});
