import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { apiClient, mintToken, userCan, waitFor } from '../support/jit.js';
import { type RunningPostgres, startPostgres } from '../support/postgres.js';
import { type ServeProcess, startServe } from '../support/serve.js';

// Every server here runs its periodic pass once a minute: whatever happens within seconds was
// done by the events (an approval, an expiry's timer, a signal from another replica).
const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const namespace = 'jit-events';
const running: ServeProcess[] = [];
let postgres: RunningPostgres | undefined;

const flow = (requesters: readonly string[]) => `kind: AccessFlow
metadata: {name: events}
spec:
  requesters: {users: [${requesters.join(', ')}]}
  namespaces: [${namespace}]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [jit-events-approver]}
  maxDuration: 1h
`;

const canEdit = (user: string) =>
  userCan(admin, user, { namespace, verb: 'create', group: 'apps', resource: 'deployments' });

async function setUp(env: NodeJS.ProcessEnv, requester: string) {
  const tokens = {
    admin: await mintToken(env, 'jit-events-admin', '--admin'),
    requester: await mintToken(env, requester),
    approver: await mintToken(env, 'jit-events-approver'),
  };
  return tokens;
}

async function serve(env: NodeJS.ProcessEnv, ...args: string[]): Promise<ServeProcess> {
  const server = await startServe(['--interval', '60s', ...args], env);
  running.push(server);
  return server;
}

async function grantThrough(
  server: ServeProcess,
  tokens: Awaited<ReturnType<typeof setUp>>,
  duration: string,
): Promise<{ approvedAt: number; id: string }> {
  const api = apiClient(server.url);
  const created = await api(tokens.requester, 'POST', '/v1/requests', {
    flow: 'events',
    cluster,
    role: 'ClusterRole/edit',
    namespace,
    duration,
    reason: 'event path test',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.request.id as string;
  const approvedAt = Date.now();
  const approved = await api(tokens.approver, 'POST', `/v1/requests/${id}/approve`);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return { approvedAt, id };
}

beforeAll(async () => {
  await admin
    .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: namespace } } })
    .catch(() => undefined);
});

afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) await server.kill9();
  postgres?.stop();
});

describe('access at event speed', () => {
  it('grants an approval at once and ends it at its expiry, with the periodic pass a minute apart', async () => {
    const env = { GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-events-')), KUBECONFIG: kubeconfig };
    const user = `jit-events-solo-${process.pid}`;
    const tokens = await setUp(env, user);
    const server = await serve(env);
    const applied = await apiClient(server.url)(tokens.admin, 'PUT', '/v1/flows', flow([user]));
    expect(applied.status).toBe(200);
    // Wait out the start-up pass, so that what follows can only come from the events.
    await waitFor(async () => server.log.some((line) => /runs the reconciler/.test(line)), true, 10_000);
    const { approvedAt, id } = await grantThrough(server, tokens, '4s');
    const allowedAt = await waitFor(() => canEdit(user), true, 20_000);
    expect(allowedAt - approvedAt).toBeLessThan(20_000);
    const request = (await apiClient(server.url)(tokens.requester, 'GET', `/v1/requests/${id}`)).body.request;
    expect(request.state).toBe('active');
    const refusedAt = await waitFor(() => canEdit(user), false, 30_000);
    expect(refusedAt).toBeGreaterThanOrEqual(Date.parse(request.expiresAt));
    expect(server.log.join('\n')).toContain(`activated ${id}`);
    expect(server.log.join('\n')).toContain(`expired ${id}`);
  });

  it('has the lease holder grant an approval made through another replica, told by PostgreSQL', async () => {
    postgres = startPostgres();
    const database = `gh_events_${process.pid}`;
    const adminDb = new pg.Client({ connectionString: postgres.url });
    await adminDb.connect();
    await adminDb.query(`drop database if exists ${database}`);
    await adminDb.query(`create database ${database}`);
    await adminDb.end();
    const url = new URL(postgres.url);
    url.pathname = `/${database}`;
    const env = {
      GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-events-pg-')),
      GATEHOUSE_DATABASE_URL: url.toString(),
      KUBECONFIG: kubeconfig,
    };
    const user = `jit-events-replica-${process.pid}`;
    const tokens = await setUp(env, user);
    const leader = await serve(env, '--replica-id', 'events-a');
    await waitFor(
      async () => leader.log.some((line) => /events-a runs the reconciler/.test(line)),
      true,
      10_000,
    );
    const standby = await serve(env, '--replica-id', 'events-b');
    await waitFor(async () => standby.log.some((line) => /events-b stands by/.test(line)), true, 10_000);
    const applied = await apiClient(standby.url)(tokens.admin, 'PUT', '/v1/flows', flow([user]));
    expect(applied.status).toBe(200);
    const { id } = await grantThrough(standby, tokens, '1h');
    await waitFor(() => canEdit(user), true, 20_000);
    // Access holds a moment before the activation is recorded and logged.
    await waitFor(async () => leader.log.some((line) => line.includes(`activated ${id}`)), true, 5000);
    expect(standby.log.join('\n')).not.toContain(`activated ${id}`);
    const revoked = await apiClient(standby.url)(tokens.approver, 'POST', `/v1/requests/${id}/revoke`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    await waitFor(() => canEdit(user), false, 20_000);
  });
});
