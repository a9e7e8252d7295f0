import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { AppError } from '../errors.js';
import { createToken, revokeToken } from '../identity/index.js';
import { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { createApp } from './app.js';
import { openApiDocument } from './openapi.js';

const flowYaml = `kind: AccessFlow
metadata: {name: oncall}
spec:
  requesters: {users: [alice]}
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [bob, alice]}
  maxDuration: 4h
`;

// biome-ignore lint/suspicious/noExplicitAny: API answers are checked field by field below.
const json = async (response: Response): Promise<any> => await response.json();

const prodConfig = new KubeConfig();
prodConfig.loadFromOptions({
  clusters: [{ name: 'prod', server: 'https://127.0.0.1:1' }],
  users: [{ name: 'prod' }],
  contexts: [{ name: 'prod', cluster: 'prod', user: 'prod' }],
  currentContext: 'prod',
});
const prodClient = new KubeClient(prodConfig);

function appFor(store: Store, changes: string[] = []) {
  return createApp({
    store,
    // Only 'prod' is a cluster; its client is never called by these routes.
    clientFor: async (cluster) => {
      if (cluster === 'prod') return prodClient;
      throw new AppError('context.unknown', `no cluster ${cluster}`, { fix: 'Use gatehouse clusters list' });
    },
    onChange: () => changes.push('change'),
  });
}

describe.each(dialects)('HTTP API on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function setup() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const admin = await createToken(fresh.store, { user: 'root', admin: true, createdBy: 'test' });
    const alice = await createToken(fresh.store, { user: 'alice', groups: ['dev'], createdBy: 'test' });
    const bob = await createToken(fresh.store, { user: 'bob', createdBy: 'test' });
    const changes: string[] = [];
    const app = appFor(fresh.store, changes);
    const call = (
      token: string | undefined,
      method: string,
      path: string,
      body?: unknown,
      type = 'application/json',
    ) =>
      app.request(path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': type } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
    return { store: fresh.store, admin, alice, bob, call, changes };
  }

  it('refuses missing, unknown, revoked and expired tokens with the reason and the fix', async () => {
    const { store, alice, call } = await setup();
    const missing = await call(undefined, 'GET', '/v1/whoami');
    expect(missing.status).toBe(401);
    expect((await json(missing)).error.fix).toContain('gatehouse tokens create');
    expect((await call('gth_nothing', 'GET', '/v1/whoami')).status).toBe(401);
    const shortLived = await createToken(
      store,
      { user: 'eve', expiresInSeconds: 1, createdBy: 'test' },
      new Date(Date.now() - 5000),
    );
    const expired = await call(shortLived.token, 'GET', '/v1/whoami');
    expect((await json(expired)).error.message).toContain('expired');
    expect(await json(await call(alice.token, 'GET', '/v1/whoami'))).toEqual({
      user: 'alice',
      groups: ['dev'],
      admin: false,
    });
    await revokeToken(store, alice.id.slice(0, 8), 'test');
    expect((await json(await call(alice.token, 'GET', '/v1/whoami'))).error.message).toContain('revoked');
  });

  it('answers refusals and unknown routes of the mounted capability routes in the one error shape', async () => {
    const { bob, call } = await setup();
    const refused = await call(bob.token, 'GET', '/v1/audit');
    expect(refused.status).toBe(403);
    expect((await json(refused)).error).toEqual({
      code: 'auth.forbidden',
      message: 'bob may not read the audit log',
      fix: 'Use a token created with gatehouse tokens create --admin',
    });
    const flows = await call(bob.token, 'PUT', '/v1/flows', flowYaml, 'application/yaml');
    expect((await json(flows)).error.message).toBe('bob may not change access flows');
    const nowhere = await call(bob.token, 'GET', '/v1/requests/x/nothing');
    expect(nowhere.status).toBe(404);
    expect((await json(nowhere)).error.message).toBe('no route GET /v1/requests/x/nothing');
  });

  it('stores only the hash of a token', async () => {
    const { store, alice } = await setup();
    const rows = await store.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(alice.token);
    expect(JSON.stringify(rows)).not.toContain(alice.token.slice(4, 20));
  });

  it('lets only admin tokens apply flows, and names the field of an invalid one', async () => {
    const { admin, alice, call } = await setup();
    expect((await call(alice.token, 'PUT', '/v1/flows', flowYaml, 'application/yaml')).status).toBe(403);
    const bad = await call(
      admin.token,
      'PUT',
      '/v1/flows',
      flowYaml.replace('maxDuration: 4h', 'maxDuration: soon'),
      'application/yaml',
    );
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toContain('maxDuration');
    const applied = await call(admin.token, 'PUT', '/v1/flows', flowYaml, 'application/yaml');
    expect(await json(applied)).toEqual({ applied: ['oncall'], refused: [] });
    expect((await json(await call(alice.token, 'GET', '/v1/flows'))).items[0].name).toBe('oncall');
  });

  it('takes requester and approver from the token, refuses self-approval, and audits every step', async () => {
    const { admin, alice, bob, call, changes, store } = await setup();
    await call(admin.token, 'PUT', '/v1/flows', flowYaml, 'application/yaml');
    const created = await call(alice.token, 'POST', '/v1/requests', {
      flow: 'oncall',
      cluster: 'prod',
      role: 'ClusterRole/edit',
      namespace: 'payments',
      duration: '2h',
      reason: 'incident 4711',
      requester: 'mallory',
    });
    expect(created.status).toBe(201);
    const { request } = await json(created);
    expect(request).toMatchObject({ requester: 'alice', state: 'pending', durationSeconds: 7200 });
    const self = await call(alice.token, 'POST', `/v1/requests/${request.id}/approve`);
    expect(self.status).toBe(403);
    const approved = await call(bob.token, 'POST', `/v1/requests/${request.id}/approve`);
    expect((await json(approved)).request).toMatchObject({ state: 'approved', approvals: ['bob'] });
    expect(changes.length).toBeGreaterThanOrEqual(2);
    // Requests are seen by their requester, the flow's approvers and admins; to anyone else they do not exist.
    const eve = await createToken(store, { user: 'eve', createdBy: 'test' });
    expect((await json(await call(eve.token, 'GET', '/v1/requests'))).items).toEqual([]);
    expect((await call(eve.token, 'GET', `/v1/requests/${request.id}`)).status).toBe(404);
    for (const token of [alice.token, bob.token, admin.token]) {
      expect((await json(await call(token, 'GET', '/v1/requests'))).items).toHaveLength(1);
      expect((await call(token, 'GET', `/v1/requests/${request.id}`)).status).toBe(200);
    }
    const outOfFlow = await call(alice.token, 'POST', '/v1/requests', {
      flow: 'oncall',
      cluster: 'prod',
      role: 'edit',
      namespace: 'kube-system',
      duration: '1h',
      reason: 'just because',
    });
    expect(outOfFlow.status).toBe(400);
    expect((await json(outOfFlow)).error.fix).toContain('payments');
    expect((await call(bob.token, 'GET', '/v1/audit?after=0&limit=100')).status).toBe(403);
    expect((await call(bob.token, 'GET', '/v1/audit/verify')).status).toBe(403);
    const audit = await json(await call(admin.token, 'GET', '/v1/audit?after=0&limit=100'));
    const actions = audit.items.map(
      (event: { action: string; outcome: string }) => `${event.action}:${event.outcome}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'access.request:succeeded',
        'access.approve:denied',
        'access.approve:succeeded',
      ]),
    );
    expect((await json(await call(admin.token, 'GET', '/v1/audit/verify'))).ok).toBe(true);
  });

  it('refuses a request for a cluster Gatehouse cannot reach or a namespace that is no name, storing nothing', async () => {
    const { admin, alice, call, store } = await setup();
    await call(admin.token, 'PUT', '/v1/flows', flowYaml, 'application/yaml');
    const ask = (fields: Record<string, string>) =>
      call(alice.token, 'POST', '/v1/requests', {
        flow: 'oncall',
        cluster: 'prod',
        role: 'ClusterRole/edit',
        namespace: 'payments',
        duration: '1h',
        reason: 'incident 4711',
        ...fields,
      });
    const unknown = await ask({ cluster: 'nowhere' });
    expect(unknown.status).toBe(400);
    // A non-admin token learns nothing of the server's clusters from the answer.
    expect((await json(unknown)).error.message).toBe('Gatehouse cannot grant access on cluster nowhere');
    for (const namespace of ['payments/../kube-system', 'Payments', 'pay<!here>', `${'a'.repeat(64)}`]) {
      const bad = await ask({ namespace });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error.message).toContain('is not a namespace name');
    }
    expect(await store.db.selectFrom('access_requests').selectAll().execute()).toEqual([]);
    expect((await ask({})).status).toBe(201);
  });

  it('answers malformed bodies and unknown routes with a JSON error', async () => {
    const { alice, call } = await setup();
    const malformed = await call(alice.token, 'POST', '/v1/requests', '{not json');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.code).toBe('input.invalid');
    const missing = await call(alice.token, 'GET', '/v1/requests/0000');
    expect(missing.status).toBe(404);
    expect((await call(alice.token, 'GET', '/v1/nothing')).status).toBe(404);
    expect((await call(alice.token, 'GET', '/v1/requests?state=weird')).status).toBe(400);
  });
});

/** Paths the console serves (its pages, assets and /login): all but the API's, sign-in's and the two documents. */
const consolePaths = /^\/(?!v1\/|auth\/|healthz$|openapi\.json$)/;

describe('OpenAPI document', () => {
  it('describes every route the app serves', async () => {
    const fresh = await freshStore('sqlite');
    try {
      const app = appFor(fresh.store);
      const served = app.routes
        // The console's HTML pages share the app; the API document covers the API.
        .filter((route) => route.method !== 'ALL' && !consolePaths.test(route.path))
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
      const documented = Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method} ${path}`),
      );
      expect(new Set(served)).toEqual(new Set(documented));
      expect((await json(await app.request('/openapi.json'))).openapi).toBe('3.1.0');
    } finally {
      await fresh.cleanup();
    }
  });
});
