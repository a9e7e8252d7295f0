/**
 * `npm run bench:jit`: on the test cluster, with `gatehouse serve` running in-process over a fresh
 * SQLite store, measures for many grants (1) grant latency: approve over the HTTP API → the API server allows the
 * requester (SubjectAccessReview), and (2) revocation lag: expiry → the API server refuses.
 * Grants run in waves of parallel requests. Then (3) the time of one reconcile pass with a large
 * history of ended requests in the store (BENCH_HISTORY, default 20,000); then (1) and (2) again with
 * two replicas over PostgreSQL, approvals sent to the standby. Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createRequest, getRequest, parseFlowFile, reconcile, saveFlows } from '../src/access/index.js';
import { createToken } from '../src/identity/index.js';
import { KubeClient, loadKubeconfig, subjectCan } from '../src/kube/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { serverOver } from '../test/support/in-process-server.js';
import { startPostgres } from '../test/support/postgres.js';
import { person } from '../test/support/principals.js';
import { clusterUp } from '../testcluster/cluster.js';

const waves = Number(process.env.BENCH_WAVES ?? 5);
const perWave = Number(process.env.BENCH_PER_WAVE ?? 10);
const kubeconfig = process.env.GATEHOUSE_TEST_KUBECONFIG ?? (await clusterUp()).kubeconfig;
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jit-'));
const store = await openStore({ dataDir });
const server = await serverOver(store, admin);
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

interface Setup {
  readonly store: Store;
  /** The API the approvals go to (with two replicas: the one not running the reconciler). */
  readonly approveUrl: string;
  /** An approver's API token in that store. */
  readonly token: string;
}

async function oneGrant(setup: Setup, user: string): Promise<{ grant: number; revoke: number }> {
  const { store } = setup;
  const request = await createRequest(store, person(user), {
    flow: flow!,
    cluster: admin.context,
    role: { kind: 'ClusterRole', name: 'edit' },
    namespace: 'jit-bench',
    durationSeconds: 3,
    reason: 'benchmark grant',
  });
  const approvedAt = Date.now();
  const answer = await fetch(`${setup.approveUrl}/v1/requests/${request.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${setup.token}` },
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

async function runWaves(setup: Setup): Promise<{ grants: number[]; revokes: number[] }> {
  const grants: number[] = [];
  const revokes: number[] = [];
  for (let wave = 0; wave < waves; wave++) {
    for (const result of await Promise.all(users.map((user) => oneGrant(setup, user)))) {
      grants.push(result.grant);
      revokes.push(result.revoke);
    }
  }
  return { grants, revokes };
}

const { grants, revokes } = await runWaves({ store, approveUrl: server.url, token: approver.token });
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

// Two replicas over PostgreSQL: approvals reach the standby's API; the lease holder hears of them
// through NOTIFY and grants them.
const postgres = startPostgres();
const database = `gatehouse_bench_jit_${process.pid}`;
const adminDb = new pg.Client({ connectionString: postgres.url });
await adminDb.connect();
await adminDb.query(`create database ${database}`);
const url = new URL(postgres.url);
url.pathname = `/${database}`;
const pgHome = mkdtempSync(join(tmpdir(), 'gatehouse-bench-jit-pg-'));
const pgStore = await openStore({ url: url.toString(), dataDir: pgHome });
const replica = (replicaId: string) => serverOver(pgStore, admin, { replicaId });
const leader = await replica('bench-a');
await leader.firstPass;
const standby = await replica('bench-b');
await standby.firstPass;
if (!leader.leader() || standby.leader()) throw new Error('replica bench-a was expected to hold the lease');
await saveFlows(pgStore, [flow!], 'bench');
const pgApprover = await createToken(pgStore, { user: 'bench-approver', createdBy: 'bench' });
const two = await runWaves({ store: pgStore, approveUrl: standby.url, token: pgApprover.token });
process.stdout.write(
  `two replicas over PostgreSQL, approvals sent to the standby\n${line('grant latency (approve → allowed)', two.grants)}\n${line('revocation lag (expiry → refused)', two.revokes)}\n`,
);
await standby.close();
await leader.close();
await pgStore.close();
await adminDb.query(`drop database ${database}`);
await adminDb.end();
postgres.stop();
rmSync(pgHome, { recursive: true, force: true });
