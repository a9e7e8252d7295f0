/**
 * `npm run bench:rbac`: the RBAC engine at the scale of a large multi-tenant cluster, sync
 * throughput from the real test apiserver, and the open-source peer kubectl-who-can on the same
 * data. Prints figures; asserts nothing. `--no-live` skips the cluster part.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCluster } from '../src/inventory/index.js';
import { KubeClient, loadKubeconfig } from '../src/kube/index.js';
import { RbacIndex, whoCan } from '../src/rbac/index.js';
import { clusterUp } from '../testcluster/cluster.js';
import { cacheRoot, sourceDir } from '../testcluster/paths.js';
import { fullScale, type Scale, syntheticCluster, syntheticRequests } from './synthetic-rbac.js';

const live = !process.argv.includes('--no-live');
const liveScale: Scale = {
  namespaces: 2000,
  roleBindings: 50_000,
  serviceAccounts: 10_000,
  roles: 5000,
  clusterRoleBindings: 1000,
};

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (value: number) => `${value.toFixed(3)} ms`;
const timeIt = (work: () => void): number => {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

function engine(): void {
  const cluster = syntheticCluster(fullScale);
  const { snapshot } = cluster;
  console.log(
    `synthetic cluster: ${cluster.namespaces.length} namespaces, ${snapshot.roleBindings.length} RoleBindings, ${cluster.serviceAccounts.length} ServiceAccounts, ${snapshot.roles.length + snapshot.clusterRoles.length} roles, ${snapshot.clusterRoleBindings.length} ClusterRoleBindings`,
  );
  const builds = [0, 1, 2].map(() => timeIt(() => new RbacIndex(snapshot)));
  const index = new RbacIndex(snapshot);
  console.log(`index build: median ${ms(percentile(builds, 50))} of 3 (goal < 3000 ms)`);
  const requests = syntheticRequests(cluster, 20_000);
  let allowed = 0;
  const canI = requests.map((request) => timeIt(() => (allowed += index.authorize(request).allowed ? 1 : 0)));
  console.log(
    `can-i: ${requests.length} requests, ${allowed} allowed, p50 ${ms(percentile(canI, 50))}, p99 ${ms(percentile(canI, 99))} (goal p99 < 1 ms)`,
  );
  const queries = requests.slice(0, 500);
  let subjects = 0;
  const who = queries.map((request) =>
    timeIt(
      () => (subjects += whoCan(index, { kind: 'resource', attributes: request.resourceAttributes! }).length),
    ),
  );
  console.log(
    `who-can: ${queries.length} queries, ${subjects} grants, p50 ${ms(percentile(who, 50))}, p99 ${ms(percentile(who, 99))} (goal p99 < 50 ms)`,
  );
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (goal < 1024 MB)`);
}

async function createAll(
  client: KubeClient,
  items: { path: string; body: object }[],
  concurrency = 24,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await client
        .request({ method: 'POST', path: item.path, body: item.body, timeoutMs: 60_000 })
        .catch((error: { code?: string }) => {
          if (error.code !== 'conflict') throw error;
        });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function buildPeer(): string {
  const bin = join(cacheRoot(), 'peers', 'kubectl-who-can');
  if (!existsSync(bin)) {
    const result = spawnSync(
      'go',
      ['build', '-o', bin, 'github.com/aquasecurity/kubectl-who-can/cmd/kubectl-who-can'],
      {
        cwd: join(sourceDir, '..', 'bench', 'peers', 'kubectl-who-can'),
        env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`building kubectl-who-can failed: ${result.stderr}`);
  }
  return bin;
}

async function liveCluster(): Promise<void> {
  const kubeconfig = process.env.GATEHOUSE_TEST_KUBECONFIG ?? (await clusterUp()).kubeconfig;
  const client = new KubeClient(loadKubeconfig({ path: kubeconfig }).config, { timeoutMs: 120_000 });
  const cluster = syntheticCluster(liveScale, 7, 'bl');
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const existing = await client.request<{ items: unknown[] }>({
    path: '/api/v1/namespaces',
    query: { labelSelector: 'gatehouse.dev/bench=rbac' },
  });
  if (existing.items.length < cluster.namespaces.length) {
    const label = { 'gatehouse.dev/bench': 'rbac' };
    const start = Date.now();
    await createAll(
      client,
      cluster.namespaces.map((name) => ({
        path: '/api/v1/namespaces',
        body: { metadata: { name, labels: label } },
      })),
    );
    await createAll(client, [
      ...cluster.serviceAccounts.map((account) => ({
        path: `/api/v1/namespaces/${account.namespace}/serviceaccounts`,
        body: { metadata: { name: account.name } },
      })),
      ...cluster.snapshot.clusterRoles.map((role) => ({
        path: `${rbac}/clusterroles`,
        body: { ...role, metadata: { ...role.metadata, labels: label } },
      })),
      ...cluster.snapshot.roles.map((role) => ({
        path: `${rbac}/namespaces/${role.metadata.namespace}/roles`,
        body: role,
      })),
    ]);
    await createAll(client, [
      ...cluster.snapshot.clusterRoleBindings.map((binding) => ({
        path: `${rbac}/clusterrolebindings`,
        body: { ...binding, metadata: { ...binding.metadata, labels: label } },
      })),
      ...cluster.snapshot.roleBindings.map((binding) => ({
        path: `${rbac}/namespaces/${binding.metadata.namespace}/rolebindings`,
        body: binding,
      })),
    ]);
    console.log(
      `loaded the synthetic cluster into the test apiserver in ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
  }
  const syncStart = Date.now();
  const read = await readCluster(client);
  const seconds = (Date.now() - syncStart) / 1000;
  const objects =
    read.namespaces.length +
    read.serviceAccounts.length +
    read.roles.length +
    read.clusterRoles.length +
    read.roleBindings.length +
    read.clusterRoleBindings.length;
  console.log(
    `sync from the real apiserver: ${objects} objects in ${seconds.toFixed(2)} s = ${(objects / seconds).toFixed(0)} objects/s (errors: ${read.errors.length})`,
  );
  const index = new RbacIndex(read);
  const peer = buildPeer();
  const queries = syntheticRequests(cluster, 20, 13, 'bl').map((request) => request.resourceAttributes!);
  const peerTimes: number[] = [];
  const ourTimes: number[] = [];
  for (const query of queries) {
    const resource = `${query.resource}${query.group ? `.${query.group}` : ''}`;
    const args = [
      '--kubeconfig',
      kubeconfig,
      query.verb,
      resource,
      '-n',
      query.namespace!,
      ...(query.subresource ? ['--subresource', query.subresource] : []),
    ];
    const start = process.hrtime.bigint();
    const result = spawnSync(peer, args, {
      encoding: 'utf8',
      env: { ...process.env, HOME: join(cacheRoot(), 'peers') },
    });
    peerTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0)
      console.log(
        `  kubectl-who-can ${args.slice(2).join(' ')} failed: ${result.stderr.trim().split('\n')[0]}`,
      );
    ourTimes.push(timeIt(() => whoCan(index, { kind: 'resource', attributes: query })));
  }
  const peerMedian = percentile(peerTimes, 50);
  const ourMedian = percentile(ourTimes, 50);
  console.log(
    `who-can on the same data, ${queries.length} queries: kubectl-who-can v0.4.0 median ${ms(peerMedian)} (live lists each time); Gatehouse median ${ms(ourMedian)} on the synced snapshot; ratio ${(peerMedian / ourMedian).toFixed(0)}x`,
  );
  if (!process.argv.includes('--keep')) await removeSynthetic(client, cluster.namespaces);
}

/** Deletes what the benchmark loaded (namespaces go asynchronously, through the namespace controller). */
async function removeSynthetic(client: KubeClient, namespaces: readonly string[]): Promise<void> {
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const query = { labelSelector: 'gatehouse.dev/bench=rbac' };
  await client.request({ method: 'DELETE', path: `${rbac}/clusterrolebindings`, query });
  await client.request({ method: 'DELETE', path: `${rbac}/clusterroles`, query });
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < namespaces.length)
        await client
          .request({ method: 'DELETE', path: `/api/v1/namespaces/${namespaces[next++]}` })
          .catch(() => undefined);
    }),
  );
  console.log('removed the synthetic objects (namespaces terminate in the background; --keep keeps them)');
}

engine();
if (live) await liveCluster();
