import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { applyFlows, parseFlowFile } from '../../src/access/index.js';
import { type ConsoleOptions, consoleRoutes } from '../../src/console/index.js';
import { AppError } from '../../src/errors.js';
import { localPrincipal, type Principal } from '../../src/identity/index.js';
import type { ConsoleEnv } from '../../src/server/env.js';
import type { StoreDialect } from '../../src/store/index.js';
import { type FreshStore, freshStore } from './stores.js';
import { unreachableClient } from './unreachable-client.js';

/** Two flows: `oncall` (binding, devs ask, bob approves) and `creds` (credential mode). */
export const consoleFlows = `kind: AccessFlow
metadata: {name: oncall}
spec:
  requesters: {groups: [devs]}
  clusters: [prod]
  namespaces: [payments, billing]
  roles: [{kind: ClusterRole, name: edit}, {kind: ClusterRole, name: view, scope: cluster}]
  approvers: {users: [bob]}
  maxDuration: 4h
---
kind: AccessFlow
metadata: {name: creds}
spec:
  requesters: {users: [alice]}
  clusters: [prod]
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: view}]
  approvers: {users: [bob]}
  maxDuration: 2h
  mode: credential
`;

function session(subject: string, groups: string[], roles: Principal['roles'] = []): Principal {
  return { subject, groups, roles, authenticatedBy: { kind: 'session', sessionId: `test-${subject}` } };
}

/** The demo people of the test identity provider, as sign-in would make them. */
export const people = {
  alice: session('alice', ['devs']),
  erin: session('erin', ['devs']),
  bob: session('bob', ['approvers', 'devs']),
  carol: session('carol', ['gatehouse-admins'], ['admin']),
  dave: session('dave', ['auditors'], ['auditor']),
  rita: session('rita', ['responders'], ['responder']),
} as const;

export type Person = keyof typeof people;

/** Each person's CSRF token in the seam: fixed, so tests can also post a wrong one. */
export const csrfOf = (person: Person): string => `csrf-token-of-${person}`;

/**
 * The test seam standing in for the sign-in helper's session middleware: it sets the two context
 * variables the console reads (`principal`, `session`) from a `test-person` cookie, and refuses a
 * post whose `_csrf` field is not that person's token, as the real middleware does. Everything
 * behind it — the console routes, the capabilities, the store — is real.
 */
export function behindTestSession(options: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.use('*', async (c, next) => {
    const name = getCookie(c, 'test-person') as Person | undefined;
    const principal = name && name in people ? people[name] : undefined;
    c.set('principal', principal);
    c.set(
      'session',
      principal && name ? { csrfToken: csrfOf(name), expiresAt: '2099-01-01T00:00:00.000Z' } : undefined,
    );
    if (c.req.method === 'POST' && !c.req.path.startsWith('/auth/')) {
      const body = await c.req.parseBody();
      if (!name || body._csrf !== csrfOf(name)) return c.text('CSRF token missing or wrong', 403);
    }
    await next();
  });
  app.route('/', consoleRoutes(options));
  return app;
}

export interface ConsoleFixture {
  readonly fresh: FreshStore;
  readonly app: Hono<ConsoleEnv>;
  readonly options: ConsoleOptions;
  /** GET as a person (undefined: signed out). */
  visit(person: Person | undefined, path: string): Promise<Response>;
  /** POST a form as a person, with their CSRF token unless the fields carry another. */
  post(person: Person, path: string, fields?: Record<string, string>): Promise<Response>;
}

/** A fresh store with the flows above, and the console behind the test seam. */
export async function consoleFixture(
  dialect: StoreDialect,
  extra: Partial<ConsoleOptions> = {},
): Promise<ConsoleFixture> {
  const fresh = await freshStore(dialect);
  await applyFlows(fresh.store, localPrincipal({ subject: 'setup' }), parseFlowFile(consoleFlows, 'flows'));
  const client = unreachableClient();
  const options: ConsoleOptions = {
    store: fresh.store,
    clientFor: async (cluster) => {
      if (cluster === 'prod') return client;
      throw new AppError('context.unknown', `no context ${cluster} in the kubeconfig`, {
        fix: 'Contexts: prod',
      });
    },
    listClusters: async () => ({
      clusters: [{ name: 'prod', provider: 'kubeconfig', server: 'https://127.0.0.1:1', current: true }],
      errors: [],
    }),
    eventPollMs: 50,
    ...extra,
  };
  const app = behindTestSession(options);
  const cookie = (person: Person | undefined) => (person ? { cookie: `test-person=${person}` } : {});
  return {
    fresh,
    app,
    options,
    visit: async (person, path) => await app.request(path, { headers: cookie(person) }),
    post: async (person, path, fields = {}) =>
      await app.request(path, {
        method: 'POST',
        headers: { ...cookie(person), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfOf(person), ...fields }).toString(),
      }),
  };
}

export { unreachableClient };
