/**
 * `npm run bench:console`: the server time of each console page while the JIT benchmark's load
 * runs. `gatehouse serve` runs in-process over a fresh SQLite store on the test cluster, with a
 * history of ended requests (BENCH_HISTORY, default 5,000) and waves of parallel grants that are
 * approved over the API, put in place on the cluster and expire (BENCH_PER_WAVE, default 10, each
 * 5 s long). Meanwhile each page is fetched BENCH_ROUNDS times (default 40) by a signed-in
 * requester, approver or administrator. The time is the loopback round trip of a full page: the
 * server's time plus a local socket. Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequest, parseFlowFile, saveFlows } from '../src/access/index.js';
import { createSession, createToken, type Principal } from '../src/identity/index.js';
import { KubeClient, loadKubeconfig } from '../src/kube/index.js';
import { openStore } from '../src/store/index.js';
import { serverOver } from '../test/support/in-process-server.js';
import { person } from '../test/support/principals.js';
import { clusterUp } from '../testcluster/cluster.js';

const perWave = Number(process.env.BENCH_PER_WAVE ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 40);
const historySize = Number(process.env.BENCH_HISTORY ?? 5000);
const kubeconfig = process.env.GATEHOUSE_TEST_KUBECONFIG ?? (await clusterUp()).kubeconfig;
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-console-'));
const store = await openStore({ dataDir });
const server = await serverOver(store, admin);
await admin
  .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'console-bench' } } })
  .catch(() => undefined);
const users = Array.from({ length: perWave }, (_, index) => `console-bench-${index}`);
const flows = parseFlowFile(
  `kind: AccessFlow\nmetadata: {name: bench}\nspec:\n  requesters: {users: [${users.join(', ')}, bench-reader]}\n  namespaces: [console-bench]\n  roles: [{kind: ClusterRole, name: edit}, {kind: ClusterRole, name: view}]\n  approvers: {users: [bench-approver]}\n  maxDuration: 1h\n`,
  'bench',
);
await saveFlows(store, flows, 'bench');
const flow = flows[0]!;
const approverToken = (await createToken(store, { user: 'bench-approver', createdBy: 'bench' })).token;

const ask = (principal: Principal, durationSeconds: number, role = 'edit') =>
  createRequest(store, principal, {
    flow,
    cluster,
    role: { kind: 'ClusterRole', name: role },
    namespace: 'console-bench',
    durationSeconds,
    reason: 'console benchmark',
  });

// History: ended requests as a year of use leaves them.
const template = await ask(person('bench-reader'), 3600, 'view');
const row = await store.db
  .selectFrom('access_requests')
  .selectAll()
  .where('id', '=', template.id)
  .executeTakeFirstOrThrow();
for (let start = 0; start < historySize; start += 500) {
  const rows = Array.from({ length: Math.min(500, historySize - start) }, (_, index) => ({
    ...row,
    id: `bench-history-${start + index}`,
    requester: users[index % users.length]!,
    state: 'expired',
  }));
  await store.db.insertInto('access_requests').values(rows).execute();
}

// The JIT load: waves of grants approved over the API, each ending 5 s after it starts.
let loading = true;
let granted = 0;
async function load(): Promise<void> {
  while (loading) {
    await Promise.all(
      users.map(async (user) => {
        const request = await ask(person(user), 5);
        const answer = await fetch(`${server.url}/v1/requests/${request.id}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${approverToken}` },
        });
        if (answer.status !== 200)
          throw new Error(`approve answered ${answer.status}: ${await answer.text()}`);
        granted++;
      }),
    );
    await sleep(5500);
  }
}
const loader = load();

async function cookieFor(subject: string, roles: Principal['roles'] = []): Promise<string> {
  const { id } = await createSession(
    store,
    { idleSeconds: 3600, absoluteSeconds: 7200 },
    { kind: 'browser', method: 'oidc', subject, groups: [], roles },
  );
  return `gatehouse_session=${id}`;
}
const requester = await cookieFor(users[0]!);
const approver = await cookieFor('bench-approver');
const administrator = await cookieFor('bench-admin', ['admin']);
// One request that waits, so the approvals page has a grant preview to compute on the cluster.
const waiting = await ask(person('bench-reader'), 600);

const pages: readonly { readonly name: string; readonly path: string; readonly cookie: string }[] = [
  { name: 'home (requester)', path: '/', cookie: requester },
  { name: 'home (approver)', path: '/', cookie: approver },
  { name: 'access requests', path: '/access/requests', cookie: requester },
  { name: 'one request', path: `/access/requests/${template.id}`, cookie: administrator },
  { name: 'approvals (1 grant preview)', path: '/access/approvals', cookie: approver },
  { name: 'pending request with preview', path: `/access/requests/${waiting.id}`, cookie: approver },
  { name: 'flows', path: '/access/flows', cookie: administrator },
  { name: 'audit log', path: '/audit', cookie: administrator },
  { name: 'clusters', path: '/clusters', cookie: administrator },
  { name: 'sign-in page', path: '/login', cookie: '' },
];

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
await sleep(3000);
process.stdout.write(
  `console pages on SQLite with ${historySize} ended requests, while waves of ${perWave} parallel grants run (approve → cluster → expiry)\n`,
);
for (const page of pages) {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const answer = await fetch(`${server.url}${page.path}`, {
      headers: page.cookie ? { cookie: page.cookie } : {},
      redirect: 'manual',
    });
    await answer.text();
    times.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`${page.path} answered ${answer.status}`);
  }
  process.stdout.write(
    `  ${page.name.padEnd(30)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms   (n=${rounds})\n`,
  );
}
loading = false;
await loader;
process.stdout.write(`  grants approved during the run: ${granted}\n`);
await server.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
