import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { routes } from '../../src/server/contract/index.js';
import { openStore } from '../../src/store/index.js';
import { cli } from '../support/cli.js';
import { apiClient, mintToken, userCan, waitFor, webhookReceiver } from '../support/jit.js';
import { kubectl } from '../support/kubectl.js';
import { type ServeProcess, startServe } from '../support/serve.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const env = { GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-serve-')), KUBECONFIG: kubeconfig };
const alice = 'jit-serve-alice';
const tokens = { admin: '', alice: '', bob: '' };
const running: ServeProcess[] = [];

const flows = `kind: AccessFlow
metadata: {name: labelled}
spec:
  requesters: {users: [${alice}]}
  namespaceSelector: {matchLabels: {gatehouse-test/team: payments}}
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [jit-serve-bob]}
  maxDuration: 1h
---
kind: AccessFlow
metadata: {name: credential}
spec:
  requesters: {users: [${alice}]}
  namespaces: [jit-serve]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [jit-serve-bob]}
  maxDuration: 1h
  mode: credential
`;

const canEdit = () =>
  userCan(admin, alice, { namespace: 'jit-serve', verb: 'create', group: 'apps', resource: 'deployments' });

async function serve(...args: string[]): Promise<ServeProcess> {
  const server = await startServe(args, env);
  running.push(server);
  return server;
}

async function ensureNamespace(name: string, labels: Record<string, string>): Promise<void> {
  await admin
    .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name, labels } } })
    .catch(() => undefined);
}

beforeAll(async () => {
  await ensureNamespace('jit-serve', { 'gatehouse-test/team': 'payments' });
  await ensureNamespace('jit-serve-other', {});
  await ensureNamespace('gatehouse-access', {});
  tokens.admin = await mintToken(env, 'platform-admin', '--admin');
  tokens.alice = await mintToken(env, alice);
  tokens.bob = await mintToken(env, 'jit-serve-bob');
});

afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null) await server.kill9();
});

async function requestEdit(
  api: ReturnType<typeof apiClient>,
  flow: string,
  duration: string,
  namespace = 'jit-serve',
) {
  return await api(tokens.alice, 'POST', '/v1/requests', {
    flow,
    cluster,
    role: 'ClusterRole/edit',
    namespace,
    duration,
    reason: 'incident 4711: payments are failing',
  });
}

describe('gatehouse serve against the real apiserver (checked with SubjectAccessReview)', () => {
  it('lets the CLI act through the server: whoever the API token names requests and approves, no cluster identity needed', async () => {
    const server = await serve();
    const api = apiClient(server.url);
    await api(tokens.admin, 'PUT', '/v1/flows', flows);
    // No kubeconfig at all: the requester may have no standing access to any cluster.
    const remote = (token: string, ...args: string[]) =>
      cli([...args, '-o', 'json'], {
        GATEHOUSE_HOME: env.GATEHOUSE_HOME,
        GATEHOUSE_SERVER: server.url,
        GATEHOUSE_TOKEN: token,
        KUBECONFIG: '/nonexistent',
      });
    const missingCluster = await remote(
      tokens.alice,
      'access',
      'request',
      '--flow',
      'labelled',
      '--role',
      'edit',
      '-n',
      'jit-serve',
      '--for',
      '1h',
      '--reason',
      'incident 4712',
    );
    expect(missingCluster.stderr).toContain('Add --cluster NAME');
    const requested = await remote(
      tokens.alice,
      'access',
      'request',
      '--flow',
      'labelled',
      '--role',
      'edit',
      '-n',
      'jit-serve',
      '--for',
      '1h',
      '--reason',
      'incident 4712',
      '--cluster',
      cluster,
    );
    expect(requested.stderr).toBe('');
    const { id, requester } = JSON.parse(requested.stdout) as { id: string; requester: string };
    expect(requester).toBe(alice);
    const self = await remote(tokens.alice, 'access', 'approve', id);
    expect(self.code).toBe(4);
    expect(self.stderr).toContain('Gatehouse server:');
    expect(JSON.parse((await remote(tokens.bob, 'access', 'approve', id)).stdout).state).toBe('approved');
    await waitFor(canEdit, true, 5000);
    expect(JSON.parse((await remote(tokens.alice, 'access', 'revoke', id)).stdout).state).toBe('revoked');
    await waitFor(canEdit, false, 5000);
    const listed = JSON.parse((await remote(tokens.bob, 'access', 'list', '--state', 'revoked')).stdout) as {
      id: string;
    }[];
    expect(listed.map((request) => request.id)).toContain(id);
    const unauthenticated = await remote('gth_not-a-token', 'access', 'list');
    expect(unauthenticated.code).toBe(4);
    await server.kill9();
  });

  it('grants after approval, revokes within 2 s of expiry, and notifies the webhook of each step', async () => {
    const hook = await webhookReceiver();
    try {
      const server = await serve('--webhook', hook.url);
      const api = apiClient(server.url);
      expect((await api(tokens.admin, 'PUT', '/v1/flows', flows)).body).toEqual({
        applied: ['labelled', 'credential'],
        refused: [],
      });
      const outside = await requestEdit(api, 'labelled', '8s', 'jit-serve-other');
      expect(outside.status).toBe(400);
      expect(outside.body.error.fix).toContain('gatehouse-test/team');
      const created = await requestEdit(api, 'labelled', '8s');
      expect(created.status).toBe(201);
      const id = created.body.request.id as string;
      expect(await canEdit()).toBe(false);
      expect((await api(tokens.alice, 'POST', `/v1/requests/${id}/approve`)).status).toBe(403);
      const approvedAt = Date.now();
      expect((await api(tokens.bob, 'POST', `/v1/requests/${id}/approve`)).status).toBe(200);
      const effectiveAt = await waitFor(canEdit, true, 5000);
      expect(effectiveAt - approvedAt).toBeLessThan(3000);
      const { expiresAt } = (await api(tokens.bob, 'GET', `/v1/requests/${id}`)).body.request;
      const revokedAt = await waitFor(canEdit, false, 20_000);
      expect(revokedAt - Date.parse(expiresAt)).toBeLessThan(2000);
      await waitFor(
        async () => hook.bodies.some((body) => body.text.includes('removed binding')),
        true,
        10_000,
      );
      const texts = hook.bodies.map((body) => body.text).join('\n');
      for (const phrase of [
        `${alice} requested ClusterRole/edit in jit-serve`,
        'jit-serve-bob approved',
        'is active until',
        'expired; its removal from the cluster follows',
        `removed binding ${cluster}/jit-serve/`,
      ])
        expect(texts).toContain(phrase);
      await server.stop();
    } finally {
      hook.close();
    }
  });

  it('revokes on its first pass after a restart what expired while the server was killed with SIGKILL', async () => {
    const first = await serve('--replica-id', 'pod-a');
    const api = apiClient(first.url);
    await api(tokens.admin, 'PUT', '/v1/flows', flows);
    const id = (await requestEdit(api, 'labelled', '4s')).body.request.id as string;
    await api(tokens.bob, 'POST', `/v1/requests/${id}/approve`);
    await waitFor(canEdit, true, 5000);
    const { expiresAt } = (await api(tokens.bob, 'GET', `/v1/requests/${id}`)).body.request;
    await first.kill9();
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 1500));
    // Nothing ran at expiry: the binding is still there, which is what a restart must repair.
    expect(await canEdit()).toBe(true);
    // Restarted under another name, as a rescheduled pod is: the dead replica's lease never blocks it.
    // With passes 60 s apart, a revocation well within that is the pass the server runs at start;
    // how many seconds that takes depends on the machine's load, which this test does not judge.
    const second = await serve('--replica-id', 'pod-b', '--interval', '60s');
    const listening = Date.now();
    const revokedAt = await waitFor(canEdit, false, 30_000);
    expect(revokedAt - listening).toBeLessThan(30_000);
    await waitFor(async () => second.log.some((line) => line.endsWith(`expired ${id}`)), true, 10_000);
    expect((await apiClient(second.url)(tokens.bob, 'GET', `/v1/requests/${id}`)).body.request.state).toBe(
      'expired',
    );
    await second.stop();
  });

  it('hands a credential-mode kubeconfig to the requester only, and revoking it locks the token out at once', async () => {
    const server = await serve();
    const api = apiClient(server.url);
    await api(tokens.admin, 'PUT', '/v1/flows', flows);
    const short = await requestEdit(api, 'credential', '5m');
    expect(short.status).toBe(400);
    expect(short.body.error.message).toContain('no token shorter than 10 minutes');
    const id = (await requestEdit(api, 'credential', '15m')).body.request.id as string;
    await api(tokens.bob, 'POST', `/v1/requests/${id}/approve`);
    await waitFor(
      async () => (await api(tokens.bob, 'GET', `/v1/requests/${id}`)).body.request.state === 'active',
      true,
      5000,
    );
    expect((await api(tokens.bob, 'POST', `/v1/requests/${id}/credential`)).status).toBe(403);
    const issued = await api(tokens.alice, 'POST', `/v1/requests/${id}/credential`);
    expect(issued.status).toBe(200);
    // Exactly what the contract declares: the unit contract test has no cluster to issue one on.
    expect(routes.issueCredential.responses[200].parse(issued.body)).toEqual(issued.body);
    // Over an existing world-readable file, the CLI's --out still leaves the token to its owner alone.
    const file = join(env.GATEHOUSE_HOME, 'credential.kubeconfig');
    writeFileSync(file, 'an older kubeconfig\n');
    chmodSync(file, 0o644);
    const remote = { ...env, GATEHOUSE_SERVER: server.url, GATEHOUSE_TOKEN: tokens.alice };
    expect((await cli(['access', 'credential', id, '--out', file], remote)).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('token:');
    expect(
      kubectl(file, ['auth', 'can-i', 'create', 'deployments.apps', '-n', 'jit-serve']).stdout.trim(),
    ).toBe('yes');
    expect(
      kubectl(file, ['auth', 'can-i', 'create', 'deployments.apps', '-n', 'default']).stdout.trim(),
    ).toBe('no');
    expect((await api(tokens.alice, 'POST', `/v1/requests/${id}/revoke`)).status).toBe(200);
    const started = Date.now();
    const refusedAt = await waitFor(
      async () => kubectl(file, ['get', 'deployments', '-n', 'jit-serve']).status !== 0,
      true,
      10_000,
    );
    expect(refusedAt - started).toBeLessThan(3000);
    // The binding goes first (Forbidden at once); the deleted ServiceAccount then fails authentication
    // once the API server's 10 s token cache lets go.
    await waitFor(
      async () =>
        /Unauthorized|must be logged in/.test(
          kubectl(file, ['get', 'deployments', '-n', 'jit-serve']).stderr,
        ),
      true,
      20_000,
    );
    await server.stop();
  });

  it('detects an edited audit entry after all of the above', async () => {
    expect((await cli(['audit', 'verify'], env)).code).toBe(0);
    const store = await openStore({ dataDir: loadConfig(env).dataDir });
    try {
      const grant = await store.db
        .selectFrom('audit_events')
        .select('seq')
        .where('action', '=', 'access.grant')
        .executeTakeFirstOrThrow();
      await store.db
        .updateTable('audit_events')
        .set({ actor: 'someone-else' })
        .where('seq', '=', grant.seq)
        .execute();
    } finally {
      await store.close();
    }
    const verify = await cli(['audit', 'verify'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('BROKEN');
  });
});
