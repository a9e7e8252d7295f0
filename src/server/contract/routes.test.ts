import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../../test/support/stores.js';
import { unreachableClient } from '../../../test/support/unreachable-client.js';
import { transition } from '../../access/requests.js';
import { AppError } from '../../errors.js';
import { cliChallenge, createToken, issueCliLoginCode } from '../../identity/index.js';
import { createApp } from '../app.js';
import { createClient, errorSchema, type RouteDescription, type RouteName, routes } from './index.js';
import { reviewRoutes } from './reviews.js';

const flowYaml = `kind: AccessFlow
metadata: {name: oncall}
spec:
  requesters: {users: [alice]}
  clusters: [prod]
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [bob]}
  maxDuration: 4h
`;

/** The described route a method and URL reach, by the same path template the document shows. */
function routeOf(method: string, url: string): RouteName {
  const path = new URL(url).pathname;
  const found = (Object.entries(routes) as [RouteName, RouteDescription][]).find(
    ([, route]) =>
      route.method === method.toLowerCase() &&
      new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );
  if (!found) throw new Error(`no route description for ${method} ${path}`);
  return found[0];
}

interface Exchange {
  readonly route: RouteName;
  readonly status: number;
  readonly body: unknown;
}

describe.each(dialects)('the API contract on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function setup() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const token = async (user: string, admin = false) =>
      (await createToken(store, { user, admin, createdBy: 'test' })).token;
    const tokens = { root: await token('root', true), alice: await token('alice'), bob: await token('bob') };
    const client = unreachableClient();
    const app = createApp({
      store,
      clientFor: async (cluster) => {
        if (cluster === 'prod') return client;
        throw new AppError('context.unknown', `no cluster ${cluster}`);
      },
    });
    const exchanges: Exchange[] = [];
    // Every answer the app gives passes through here on its way to the typed client.
    const fetch = async (url: string, init: RequestInit) => {
      const response = await app.request(url, init);
      const body: unknown = await response.clone().json();
      exchanges.push({ route: routeOf(init.method ?? 'GET', url), status: response.status, body });
      return response;
    };
    const as = (user?: keyof typeof tokens) =>
      createClient({ baseUrl: 'http://gatehouse.test', token: user && tokens[user], fetch });
    return { store, app, tokens, as, exchanges };
  }

  it('answers every route with a body its description declares, and nothing it does not', async () => {
    const { store, as, exchanges } = await setup();
    const [root, alice, bob] = [as('root'), as('alice'), as('bob')];
    await as().health();
    await as().openApi();
    await alice.whoami();
    await root.applyFlows({ body: flowYaml });
    await alice.listFlows();
    const ask = { flow: 'oncall', cluster: 'prod', role: 'edit', namespace: 'payments', duration: '1h' };
    const { request } = await alice.createRequest({ body: { ...ask, reason: 'incident 4711' } });
    const params = { id: request.id };
    await alice.listRequests({ query: { state: 'pending' } });
    await alice.getRequest({ params });
    await bob.approveRequest({ params, body: {} });
    const second = (await alice.createRequest({ body: { ...ask, reason: 'incident 4712' } })).request;
    await bob.denyRequest({ params: { id: second.id }, body: { reason: 'use the read-only flow' } });
    const now = new Date();
    const expires = new Date(now.getTime() + 3_600_000).toISOString();
    await transition(
      store,
      request.id,
      ['approved'],
      'active',
      { activated_at: now.toISOString(), expires_at: expires },
      now,
    );
    await bob.extendRequest({ params, body: { duration: '30m' } });
    // A binding-mode grant has no credential: the route answers its declared error.
    await expect(alice.issueCredential({ params })).rejects.toMatchObject({ code: 'input.invalid' });
    await alice.revokeRequest({ params });
    await root.listAudit({ query: { after: 0, limit: 100 } });
    await root.verifyAudit();
    // Refusals answer in the declared error shape with a declared status.
    await expect(bob.listAudit()).rejects.toMatchObject({ code: 'auth.forbidden' });
    await expect(as().whoami()).rejects.toMatchObject({ code: 'auth.unauthorized' });
    await expect(bob.getRequest({ params: { id: 'nothing' } })).rejects.toMatchObject({ code: 'not-found' });
    // `gatehouse login`'s hand-over: the code once, with the verifier behind its challenge.
    const verifier = 'a-verifier-only-the-cli-knows-0123456789abcdef';
    const identity = { subject: 'oidc:carol', groups: ['oidc:admins'], roles: ['admin' as const] };
    const code = await issueCliLoginCode(store, { identity, challenge: cliChallenge(verifier) });
    expect((await as().exchangeCliCode({ body: { code, verifier } })).subject).toBe('oidc:carol');
    await expect(as().exchangeCliCode({ body: { code, verifier } })).rejects.toMatchObject({
      code: 'auth.unauthorized',
    });

    for (const { route: name, status, body } of exchanges) {
      const route: RouteDescription = routes[name];
      const declared = route.responses[status as 200 | 201];
      if (status < 300) {
        expect({ name, status, declared: declared !== undefined }).toEqual({ name, status, declared: true });
        // Parsing drops undeclared fields: a field the code sends but the contract lacks shows here.
        expect({ name, body: declared?.parse(body) }).toEqual({ name, body });
      } else {
        expect({ name, status, declared: route.errors.includes(status as never) }).toEqual({
          name,
          status,
          declared: true,
        });
        expect(errorSchema.parse(body)).toEqual(body);
      }
    }
    const answered = new Set(exchanges.filter(({ status }) => status < 300).map(({ route }) => route));
    // Issuing a credential needs a real cluster: test/e2e/access-serve.test.ts checks that answer.
    // Review routes are answered in server/routes/reviews.test.ts (they need a synced cluster).
    const unanswered = Object.keys(routes).filter((name) => !answered.has(name as RouteName));
    expect(unanswered.filter((name) => !(name in reviewRoutes))).toEqual(['issueCredential']);
  });

  it('refuses invalid params, query and body with input.invalid naming the field, what was wrong and the fix', async () => {
    const { app, tokens } = await setup();
    const send = async (method: string, path: string, body?: unknown, token = tokens.alice) => {
      const response = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, error: ((await response.json()) as { error?: unknown }).error };
    };
    const ask = { flow: 'oncall', cluster: 'prod', role: 'edit', duration: '1h' };
    expect(await send('POST', '/v1/requests', { ...ask, cluster: 5 })).toEqual({
      status: 400,
      error: {
        code: 'input.invalid',
        message: 'field cluster must be a string',
        fix: 'Set field cluster (see /openapi.json)',
      },
    });
    expect((await send('POST', '/v1/requests', { ...ask, breakGlass: 'yes' })).error).toMatchObject({
      message: 'field breakGlass must be a boolean',
    });
    const { flow: _, ...noFlow } = ask;
    expect((await send('POST', '/v1/requests', { ...noFlow, duration: 'x'.repeat(40) })).error).toMatchObject(
      {
        message: 'field flow is required (and 1 more problem)',
      },
    );
    expect((await send('POST', '/v1/requests', { ...ask, reason: 'x'.repeat(2001) })).error).toMatchObject({
      message: 'field reason is longer than 2000 characters',
      fix: 'Send field reason as at most 2000 characters',
    });
    expect((await send('GET', '/v1/requests?state=weird')).error).toMatchObject({
      message: 'query parameter state is not one of the allowed values',
      fix: expect.stringContaining('one of pending, approved, active'),
    });
    expect((await send('GET', '/v1/audit?limit=many', undefined, tokens.root)).error).toMatchObject({
      code: 'input.invalid',
      message: 'query parameter limit must be a number',
    });
    expect((await send('GET', '/v1/audit?after=-1', undefined, tokens.root)).error).toMatchObject({
      message: 'query parameter after is smaller than 0',
    });
    expect((await send('POST', '/v1/requests/some-id/extend', { duration: 3 }, tokens.bob)).status).toBe(404);
  });

  it('keeps reading the audit log with the old query habits: empty values are absent, large limits are capped', async () => {
    const { app, tokens } = await setup();
    const read = async (query: string) =>
      await app.request(`/v1/audit${query}`, { headers: { authorization: `Bearer ${tokens.root}` } });
    expect((await read('?after=&limit=')).status).toBe(200);
    expect((await read('?after=0&limit=99999')).status).toBe(200);
    expect((await read('?limit=0')).status).toBe(400);
  });

  it('refuses a non-admin applying flows before it reads the body, however broken the body is', async () => {
    const { app, tokens } = await setup();
    const answer = await app.request('/v1/flows', {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/yaml' },
      body: '{{{ not yaml',
    });
    expect(answer.status).toBe(403);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('auth.forbidden');
  });
});
