/**
 * `npm run bench:jit`: on the test cluster, with `gatehouse serve` running in-process over a fresh
 * SQLite store, measures for many grants (1) grant latency: approve over the HTTP API → the API server allows the
 * requester (SubjectAccessReview), and (2) revocation lag: expiry → the API server refuses.
 * Grants run in waves of parallel requests. Then (3) the time of one reconcile pass with a large
 * history of ended requests in the store (BENCH_HISTORY, default 20,000). Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequest, getRequest, parseFlowFile, reconcile, saveFlows } from '../src/access/index.js';
import { KubeClient, loadKubeconfig, subjectCan } from '../src/kube/index.js';
import { createToken, startServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { clusterUp } from '../testcluster/cluster.js';

const waves = Number(process.env.BENCH_WAVES ?? 5);
const perWave = Number(process.env.BENCH_PER_WAVE ?? 10);
const kubeconfig = process.env.GATEHOUSE_TEST_KUBECONFIG ?? (await clusterUp()).kubeconfig;
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jit-'));
const store = await openStore({ dataDir });
const server = await startServer({
  store,
  clientFor: async () => admin,
  host: '127.0.0.1',
  port: 0,
  intervalMs: 1000,
  webhooks: [],
  log: () => undefined,
});
await admin
  .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'jit-bench' } } })
  .catch(() => undefined);
const users = Array.from({ length: perWave }, (_, index) => `jit-bench-${index}`);
const [flow] = parseFlowFile(
  `kind: AccessFlow\nmetadata: {name: bench}\nspec:\n  requesters: {users: [${users.join(', ')}]}\n  namespaces: [jit-bench]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [bench-approver]}\n  maxDuration: 1h\n`,
  'bench',
);
await saveFlows(store, [flow!], 'bench');
const approver = await createToken(store, { user: 'bench-approver', createdBy: 'bench' });

const can = async (user: string) =>
  (
    await subjectCan(admin, {
      user,
      groups: ['system:authenticated'],
      resourceAttributes: { namespace: 'jit-bench', verb: 'create', group: 'apps', resource: 'deployments' },
    })
  ).allowed;

async function until(user: string, want: boolean): Promise<number> {
  for (;;) {
    if ((await can(user)) === want) return Date.now();
    await sleep(10);
  }
}

async function oneGrant(user: string): Promise<{ grant: number; revoke: number }> {
  const request = await createRequest(
    store,
    { user, groups: [] },
    {
      flow: flow!,
      cluster: admin.context,
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'jit-bench',
      durationSeconds: 3,
      reason: 'benchmark grant',
    },
  );
  const approvedAt = Date.now();
  const answer = await fetch(`${server.url}/v1/requests/${request.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${approver.token}` },
  });
  if (answer.status !== 200) throw new Error(`approve answered ${answer.status}: ${await answer.text()}`);
  const allowedAt = await until(user, true);
  // Access works a moment before the store records activation: wait for the recorded expiry.
  let expiresAt: string | undefined;
  for (;;) {
    expiresAt = (await getRequest(store, request.id)).expiresAt;
    if (expiresAt) break;
    await sleep(10);
  }
  const refusedAt = await until(user, false);
  return { grant: allowedAt - approvedAt, revoke: refusedAt - Date.parse(expiresAt) };
}

const grants: number[] = [];
const revokes: number[] = [];
for (let wave = 0; wave < waves; wave++) {
  for (const result of await Promise.all(users.map(oneGrant))) {
    grants.push(result.grant);
    revokes.push(result.revoke);
  }
}
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
const line = (name: string, values: number[]) =>
  `${name}: p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms (n=${values.length})`;
process.stdout.write(
  `just-in-time access, ${waves} waves of ${perWave} parallel grants (3 s each), reconcile interval 1 s\n${line('grant latency (approve → allowed)', grants)}\n${line('revocation lag (expiry → refused)', revokes)}\n`,
);
await server.close();

// A year of history: ended requests must not slow the pass that runs every second.
const historySize = Number(process.env.BENCH_HISTORY ?? 20_000);
const template = await store.db.selectFrom('access_requests').selectAll().limit(1).executeTakeFirstOrThrow();
for (let start = 0; start < historySize; start += 500) {
  const rows = Array.from({ length: Math.min(500, historySize - start) }, (_, index) => ({
    ...template,
    id: `bench-history-${start + index}`,
    state: 'expired',
  }));
  await store.db.insertInto('access_requests').values(rows).execute();
}
const passes: number[] = [];
for (let pass = 0; pass < 10; pass++) {
  const started = performance.now();
  await reconcile({ store, clientFor: async () => admin });
  passes.push(Math.round(performance.now() - started));
}
process.stdout.write(
  `${line(`reconcile pass with ${historySize} ended requests in history (SQLite)`, passes)}\n`,
);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
