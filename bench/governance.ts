/**
 * `npm run bench:governance`: the server time of each governance page of the console at the
 * scale of a large multi-tenant cluster (2,000 namespaces, 50,000 RoleBindings, 10,000
 * ServiceAccounts, 5,000 roles, 1,000 ClusterRoleBindings, 20,000 pods), stored as two sync runs
 * in a fresh SQLite store. `gatehouse serve` runs in-process; each page is fetched BENCH_ROUNDS
 * times (default 40) by a signed-in auditor, over a
 * loopback socket. Goal: who-can and subject pages p99 under 200 ms. Each page's CPU time is
 * printed beside its wall time: on a shared machine the wall time also measures the neighbours.
 * Last, `gatehouse rbac risks -o json` runs in-process on the same store (BENCH_CLI_ROUNDS, default 5).
 * Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/index.js';
import { AppError } from '../src/errors.js';
import { createSession } from '../src/identity/index.js';
import { type ClusterRead, countsOf, saveSyncRun } from '../src/inventory/index.js';
import type { RoleBinding } from '../src/rbac/index.js';
import { startServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { fullScale, syntheticCluster } from './synthetic-rbac.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 40);
const podCount = 20_000;
const cluster = 'bench-prod';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-governance-'));
const store = await openStore({ dataDir });
/**
 * Stores the two runs and returns only what the questions name: the cluster's objects are then
 * garbage, as in a server, which never holds a whole snapshot.
 */
async function storeRuns() {
  const synthetic = syntheticCluster(fullScale);
  const pods = Array.from({ length: podCount }, (_, n) => {
    const account = synthetic.serviceAccounts[n % synthetic.serviceAccounts.length]!;
    return {
      metadata: { name: `pod-${n}`, namespace: account.namespace },
      spec: { serviceAccountName: account.name },
    };
  });
  const read: ClusterRead = {
    namespaces: synthetic.namespaces.map((name) => ({ metadata: { name } })),
    serviceAccounts: synthetic.serviceAccounts.map((account) => ({ metadata: account })),
    pods,
    ...synthetic.snapshot,
    roleBindings: [...synthetic.snapshot.roleBindings],
    roles: [...synthetic.snapshot.roles],
    clusterRoles: [...synthetic.snapshot.clusterRoles],
    clusterRoleBindings: [...synthetic.snapshot.clusterRoleBindings],
    awsAuth: {
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles:
          '- rolearn: arn:aws:iam::111122223333:role/bench-admin\n  username: bench-admin\n  groups: [bench-group-1]\n',
      },
    },
    resourceVersions: {},
    errors: [],
  };
  // The later run: a hundred new RoleBindings, as a week of changes might bring.
  const later: ClusterRead = {
    ...read,
    roleBindings: [
      ...read.roleBindings,
      ...Array.from(
        { length: 100 },
        (_, n): RoleBinding => ({
          kind: 'RoleBinding',
          metadata: { name: `bench-new-${n}`, namespace: synthetic.namespaces[n]! },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bench-cr-1' },
          subjects: [{ kind: 'User', name: `bench-newcomer-${n}`, apiGroup: 'rbac.authorization.k8s.io' }],
        }),
      ),
    ],
  };

  const save = async (snapshot: ClusterRead, at: string) => {
    const started = performance.now();
    await saveSyncRun(
      store,
      {
        cluster,
        server: 'https://bench.example',
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        counts: countsOf(snapshot),
        resourceVersions: {},
        errors: [],
      },
      snapshot,
    );
    return performance.now() - started;
  };
  const savedIn = [
    await save(read, '2026-12-01T05:00:00.000Z'),
    await save(later, '2026-12-01T06:00:00.000Z'),
  ];
  const summary = {
    namespaces: read.namespaces.length,
    roleBindings: read.roleBindings.length,
    serviceAccounts: read.serviceAccounts.length,
    roles: read.roles.length + read.clusterRoles.length,
    clusterRoleBindings: read.clusterRoleBindings.length,
  };
  const ns = synthetic.namespaces[1234]!;
  // A service account some binding names, so its page has permissions as well as pods.
  const named = synthetic.snapshot.roleBindings
    .slice(4321)
    .flatMap((binding) => binding.subjects ?? [])
    .find((subject) => subject.kind === 'ServiceAccount')!;
  const account = { namespace: named.namespace!, name: named.name };

  return { summary, ns, account, savedIn };
}
const { summary, ns, account, savedIn } = await storeRuns();
const server = await startServer({
  gatehouse: {
    store: async () => store,
    clusters: {
      client: async (name) => {
        throw new AppError('cluster.unreachable', `${name} is not reached by this benchmark`);
      },
      accessEntries: async () => undefined,
    },
  },
  host: '127.0.0.1',
  port: 0,
  intervalMs: 60_000,
  webhooks: [],
  log: () => undefined,
});
const { id } = await createSession(
  store,
  { idleSeconds: 3600, absoluteSeconds: 7200 },
  { kind: 'browser', method: 'oidc', subject: 'bench-auditor', groups: [], roles: ['auditor'] },
);
const cookie = `gatehouse_session=${id}`;

const on = `cluster=${cluster}`;
const pages: readonly { name: string; path: string; rounds: number }[] = [
  { name: 'overview (2 runs)', path: '/governance', rounds },
  {
    name: 'who-can get pods -n NS',
    path: `/governance/who-can?verb=get&resource=pods&namespace=${ns}&${on}`,
    rounds,
  },
  {
    name: 'who-can create pods/exec -n NS',
    path: `/governance/who-can?verb=create&resource=pods&subresource=exec&namespace=${ns}&${on}`,
    rounds,
  },
  {
    name: 'who-can get secrets -n NS',
    path: `/governance/who-can?verb=get&resource=secrets&namespace=${ns}&${on}`,
    rounds,
  },
  { name: 'who-can get /metrics', path: `/governance/who-can?verb=get&resource=/metrics&${on}`, rounds },
  { name: 'subject user (few bindings)', path: `/governance/subjects/user/bench-user-42?${on}`, rounds },
  { name: 'subject group (~100 bindings)', path: `/governance/subjects/group/bench-group-7?${on}`, rounds },
  {
    name: 'subject service account + pods',
    path: `/governance/subjects/sa/${account.namespace}/${account.name}?${on}`,
    rounds,
  },
  {
    name: 'subject IAM principal',
    path: `/governance/subjects/iam/${encodeURIComponent('arn:aws:iam::111122223333:role/bench-admin')}?${on}`,
    rounds,
  },
  {
    name: 'who-can delete pods, all namespaces',
    path: `/governance/who-can?verb=delete&resource=pods&${on}`,
    rounds,
  },
  // Both read rows stored with the runs (findings; the grants of the namespaces that changed).
  { name: 'risks (first page)', path: `/governance/risks?${on}`, rounds },
  { name: 'risks, one check, page 3', path: `/governance/risks?check=pod-exec&page=3&${on}`, rounds },
  { name: 'diff of the last two runs', path: `/governance/diff?${on}`, rounds },
];

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
process.stdout.write(
  `governance pages on SQLite: ${summary.namespaces} namespaces, ${summary.roleBindings} RoleBindings, ${summary.serviceAccounts} ServiceAccounts, ${summary.roles} roles, ${summary.clusterRoleBindings} ClusterRoleBindings, ${podCount} pods\n`,
);
process.stdout.write(
  `  storing a sync run: ${savedIn.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}\n`,
);
for (const page of pages) {
  const times: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  // Two rounds first, not counted: the first request of a page compiles its code.
  for (let round = -2; round < page.rounds; round++) {
    const started = performance.now();
    const used = process.cpuUsage();
    const answer = await fetch(`${server.url}${page.path}`, { headers: { cookie }, redirect: 'manual' });
    bytes = (await answer.text()).length;
    const spent = process.cpuUsage(used);
    if (round >= 0) {
      times.push(performance.now() - started);
      cpu.push((spent.user + spent.system) / 1000);
    }
    if (answer.status !== 200) throw new Error(`${page.path} answered ${answer.status}`);
  }
  process.stdout.write(
    `  ${page.name.padEnd(38)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(times, 99).toFixed(1).padStart(7)} ms   cpu p50 ${percentile(cpu, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(cpu, 99).toFixed(1).padStart(7)} ms   (n=${page.rounds}, ${Math.round(bytes / 1024)} KiB)\n`,
  );
}
await server.close();

/** `gatehouse rbac risks -o json` in-process on the same store: the findings stored with the latest run. */
async function timeCliRisks(): Promise<void> {
  const times: number[] = [];
  let bytes = 0;
  for (let round = -1; round < Number(process.env.BENCH_CLI_ROUNDS ?? 5); round++) {
    let out = '';
    const started = performance.now();
    const code = await main(['--context', cluster, 'rbac', 'risks', '-o', 'json'], {
      stdout: (text) => {
        out += text;
      },
      stderr: () => undefined,
      env: { HOME: '/nonexistent-home', GATEHOUSE_HOME: dataDir },
    });
    if (code !== 0) throw new Error(`rbac risks exited ${code}`);
    if (round >= 0) times.push(performance.now() - started);
    bytes = out.length;
  }
  process.stdout.write(
    `  ${'CLI rbac risks -o json (all findings)'.padEnd(38)} p50 ${percentile(times, 50).toFixed(0).padStart(7)} ms   max ${Math.max(
      ...times,
    )
      .toFixed(0)
      .padStart(7)} ms   (n=${times.length}, ${Math.round(bytes / 1024)} KiB)\n`,
  );
}
await timeCliRisks();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
