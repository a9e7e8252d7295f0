import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../../test/support/stores.js';
import { unreachableClient } from '../../../test/support/unreachable-client.js';
import { transition } from '../../access/requests.js';
import { listAudit } from '../../audit/index.js';
import { AppError } from '../../errors.js';
import { createToken } from '../../identity/index.js';
import { createApp } from '../app.js';

const flowYaml = `kind: AccessFlow
metadata: {name: oncall}
spec:
  requesters: {users: [alice, root]}
  clusters: [prod, nowhere]
  namespaces: [payments]
  namespaceSelector: {matchLabels: {team: payments}}
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [bob]}
  maxDuration: 4h
---
kind: AccessFlow
metadata: {name: plain}
spec:
  requesters: {users: [alice]}
  clusters: [prod]
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [bob]}
  maxDuration: 4h
`;

// biome-ignore lint/suspicious/noExplicitAny: API answers are checked field by field below.
const json = async (response: Response): Promise<any> => await response.json();

describe.each(dialects)('request routes on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function setup() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const tokens = {
      root: (await createToken(store, { user: 'root', admin: true, createdBy: 'test' })).token,
      alice: (await createToken(store, { user: 'alice', createdBy: 'test' })).token,
      bob: (await createToken(store, { user: 'bob', createdBy: 'test' })).token,
      eve: (await createToken(store, { user: 'eve', createdBy: 'test' })).token,
    };
    // Every cluster the server reaches for is recorded: the port the routes are given, not a mock.
    const touched: string[] = [];
    const client = unreachableClient();
    const app = createApp({
      store,
      clientFor: async (cluster) => {
        touched.push(cluster);
        if (cluster === 'prod') return client;
        throw new AppError('context.unknown', `no context ${cluster} in the kubeconfig`, {
          fix: 'Contexts: prod, secret-staging',
        });
      },
    });
    const call = (token: string, method: string, path: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    expect((await call(tokens.root, 'PUT', '/v1/flows', flowYaml)).status).toBe(200);
    const ask = (token: string, fields: Record<string, unknown> = {}) =>
      call(token, 'POST', '/v1/requests', {
        flow: 'plain',
        cluster: 'prod',
        role: 'edit',
        namespace: 'payments',
        duration: '1h',
        reason: 'incident 4711',
        ...fields,
      });
    return { store, tokens, touched, call, ask };
  }

  it('checks the caller and the flow before it touches any cluster', async () => {
    const { tokens, touched, ask } = await setup();
    // A namespace the flow admits only by labels would be read from the cluster: not for eve.
    const stranger = await ask(tokens.eve, { flow: 'oncall', namespace: 'billing' });
    expect(stranger.status).toBe(403);
    expect((await ask(tokens.eve, { flow: 'oncall', cluster: 'nowhere', namespace: 'billing' })).status).toBe(
      403,
    );
    const outside = await ask(tokens.alice, { flow: 'oncall', cluster: 'staging', namespace: 'billing' });
    expect(outside.status).toBe(400);
    expect((await json(outside)).error.message).toContain('does not cover cluster staging');
    const tooLong = await ask(tokens.alice, { flow: 'oncall', namespace: 'billing', duration: '5h' });
    expect((await json(tooLong)).error.message).toContain('longer than flow oncall allows');
    expect(touched).toEqual([]);
  });

  it('gives non-admins one generic answer for a cluster it cannot use, and admins the cause', async () => {
    const { tokens, ask } = await setup();
    const hidden = await json(await ask(tokens.alice, { flow: 'oncall', cluster: 'nowhere' }));
    expect(hidden.error.message).toBe('Gatehouse cannot grant access on cluster nowhere');
    expect(JSON.stringify(hidden)).not.toContain('secret-staging');
    const shown = await json(await ask(tokens.root, { flow: 'oncall', cluster: 'nowhere' }));
    expect(shown.error.message).toContain('no context nowhere in the kubeconfig');
  });

  it('answers every action on a request the caller may not see exactly as GET does: 404', async () => {
    const { store, tokens, call, ask } = await setup();
    const { request } = await json(await ask(tokens.alice));
    const now = new Date();
    const expires = new Date(now.getTime() + 3_600_000).toISOString();
    await transition(
      store,
      request.id,
      ['pending'],
      'active',
      { activated_at: now.toISOString(), expires_at: expires },
      now,
    );
    const read = await call(tokens.eve, 'GET', `/v1/requests/${request.id}`);
    expect(read.status).toBe(404);
    const expected = await json(read);
    for (const action of ['approve', 'deny', 'revoke', 'extend', 'credential']) {
      const answer = await call(tokens.eve, 'POST', `/v1/requests/${request.id}/${action}`, {
        duration: '1h',
      });
      expect({ action, status: answer.status, body: await json(answer) }).toEqual({
        action,
        status: 404,
        body: expected,
      });
    }
    expect((await call(tokens.alice, 'GET', `/v1/requests/${request.id}`)).status).toBe(200);
  });

  it('takes full request ids only: a prefix or a wildcard finds nothing, even for an approver', async () => {
    const { tokens, call, ask } = await setup();
    const { request } = await json(await ask(tokens.alice));
    for (const id of [request.id.slice(0, 8), '%25', '_', `${request.id.slice(0, 4)}%25`]) {
      expect((await call(tokens.bob, 'GET', `/v1/requests/${id}`)).status).toBe(404);
      expect((await call(tokens.bob, 'POST', `/v1/requests/${id}/approve`)).status).toBe(404);
    }
    expect((await json(await call(tokens.bob, 'GET', `/v1/requests/${request.id}`))).request.state).toBe(
      'pending',
    );
  });

  it('refuses a body over 64 KB and a reason over 2000 characters, storing and auditing nothing', async () => {
    const { store, tokens, ask } = await setup();
    const before = (await listAudit(store, {})).length;
    const huge = await ask(tokens.alice, { reason: 'x'.repeat(200 * 1024) });
    expect(huge.status).toBe(413);
    expect((await json(huge)).error.message).toContain('larger than 64 KB');
    const long = await ask(tokens.alice, { reason: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect((await json(long)).error.message).toContain('reason is longer than 2000 characters');
    expect(await store.db.selectFrom('access_requests').selectAll().execute()).toEqual([]);
    expect((await listAudit(store, {})).length).toBe(before);
  });

  it('answers durations past any range with 400, never 500', async () => {
    const { store, tokens, call, ask } = await setup();
    for (const duration of ['99999999999999d', `${'9'.repeat(400)}d`, '367d']) {
      const answer = await ask(tokens.alice, { duration });
      expect({ duration, status: answer.status }).toEqual({ duration, status: 400 });
    }
    const huge = flowYaml.replaceAll('maxDuration: 4h', 'maxDuration: 99999999999d');
    expect((await call(tokens.root, 'PUT', '/v1/flows', huge)).status).toBe(400);
    const { request } = await json(await ask(tokens.alice));
    const now = new Date();
    const expires = new Date(now.getTime() + 600_000).toISOString();
    await transition(
      store,
      request.id,
      ['pending'],
      'active',
      { activated_at: now.toISOString(), expires_at: expires },
      now,
    );
    const extended = await call(tokens.bob, 'POST', `/v1/requests/${request.id}/extend`, {
      duration: '99999999999d',
    });
    expect(extended.status).toBe(400);
    expect((await json(extended)).error.message).toContain('longer than Gatehouse allows');
  });

  it('ends, on applying flows, the pending requests they no longer allow, and names them in the answer', async () => {
    const { store, tokens, call, ask } = await setup();
    const { request } = await json(await ask(tokens.alice));
    const applied = await call(
      tokens.root,
      'PUT',
      '/v1/flows',
      flowYaml.replace('{users: [alice]}', '{users: [carol]}'),
    );
    expect(await json(applied)).toEqual({ applied: ['oncall', 'plain'], refused: [request.id] });
    const after = await json(await call(tokens.alice, 'GET', `/v1/requests/${request.id}`));
    expect(after.request).toMatchObject({
      state: 'refused',
      lastError: 'alice is no longer a requester of flow plain',
    });
    const [refusal] = (await listAudit(store, {})).filter((event) => event.action === 'access.refuse');
    expect(refusal).toMatchObject({ outcome: 'denied', details: { id: request.id } });
  });
});
