import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type FreshStore, freshStore } from '../../../test/support/stores.js';
import { listAudit } from '../../audit/index.js';
import { AppError } from '../../errors.js';
import { createSession } from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import { createApp } from '../app.js';
import type { ConsoleEnv } from '../env.js';
import { requireSignIn } from './console-session.js';

const sessions = { idleSeconds: 1800, absoluteSeconds: 3600 };

/** The API app with a console page mounted after it, as the console mounts its routes. */
function consoleApp(store: Store, publicUrl?: string) {
  const app = createApp({
    store,
    clientFor: async (cluster) => {
      throw new AppError('context.unknown', `no cluster ${cluster}`);
    },
    signIn: { sessions, ...(publicUrl ? { publicUrl } : {}) },
  });
  const pages = new Hono<ConsoleEnv>();
  pages.get('/whoami', (c) =>
    c.json({ who: c.get('principal')?.subject ?? null, csrf: c.get('session')?.csrfToken ?? null }),
  );
  pages.get('/private', requireSignIn(), (c) => c.text('secret'));
  pages.post('/things', async (c) =>
    c.json({ by: c.get('principal')?.subject, body: await c.req.parseBody() }),
  );
  app.route('/', pages);
  return app;
}

describe('the console session middleware', () => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  async function signedIn(cookieName = 'gatehouse_session') {
    fresh = await freshStore('sqlite');
    const { id, session } = await createSession(fresh.store, sessions, {
      kind: 'browser',
      method: 'oidc',
      subject: 'oidc:alice',
      groups: ['oidc:devs'],
      roles: [],
    });
    return { store: fresh.store, cookie: `${cookieName}=${id}`, csrf: session.csrfToken, id };
  }

  it('sets the principal and session from the cookie, and nothing for a tampered or absent one', async () => {
    const { store, cookie, csrf, id } = await signedIn();
    const app = consoleApp(store);
    expect(await (await app.request('/whoami', { headers: { cookie } })).json()).toEqual({
      who: 'oidc:alice',
      csrf,
    });
    const tampered = await app.request('/whoami', { headers: { cookie: `gatehouse_session=${id}x` } });
    expect(await tampered.json()).toEqual({ who: null, csrf: null });
    // The dead cookie is cleared.
    expect(tampered.headers.get('set-cookie')).toMatch(/^gatehouse_session=; Max-Age=0/);
    expect(await (await app.request('/whoami')).json()).toEqual({ who: null, csrf: null });
  });

  it('accepts a change carrying the session CSRF token in a form field or header, and refuses one without it', async () => {
    const { store, cookie, csrf } = await signedIn();
    const app = consoleApp(store);
    const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      app.request('/things', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(fields).toString(),
      });
    const ok = await form({ _csrf: csrf, reason: 'incident' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ by: 'oidc:alice', body: { _csrf: csrf, reason: 'incident' } });
    expect((await form({ reason: 'x' }, { 'x-csrf-token': csrf })).status).toBe(200);
    for (const refused of [
      await form({ reason: 'x' }),
      await form({ _csrf: `${csrf}x` }),
      await form({ _csrf: '' }),
    ]) {
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('without the CSRF token of your session');
    }
    const json = await app.request('/things', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ _csrf: csrf }),
    });
    expect(json.status).toBe(403);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('auth.forbidden');
    const anonymous = await app.request('/things', { method: 'POST', body: '' });
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('not signed in');
  });

  it("audits a signed-in person's change refused for its CSRF token (the forged form may be someone else's attack), not a visitor's", async () => {
    const { store, cookie } = await signedIn();
    const app = consoleApp(store);
    const post = (headers: Record<string, string>) =>
      app.request('/things?x=1', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: '_csrf=forged',
      });
    expect((await post({ cookie })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    const entries = await listAudit(store, { action: 'console.csrf' });
    expect(entries.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual([
      ['oidc:alice', 'denied', 'POST /things'],
    ]);
  });

  it('sends a signed-out visitor of a private page to /login with the page to come back to', async () => {
    const { store, cookie } = await signedIn();
    const app = consoleApp(store);
    const away = await app.request('/private?tab=mine');
    expect(away.status).toBe(302);
    expect(away.headers.get('location')).toBe('/login?next=%2Fprivate%3Ftab%3Dmine');
    expect(await (await app.request('/private', { headers: { cookie } })).text()).toBe('secret');
  });

  it('uses the __Host- cookie behind https and ignores the plain name there', async () => {
    const { store, id } = await signedIn('__Host-gatehouse_session');
    const app = consoleApp(store, 'https://gatehouse.example.com');
    const who = async (cookie: string) =>
      ((await (await app.request('/whoami', { headers: { cookie } })).json()) as { who: unknown }).who;
    expect(await who(`__Host-gatehouse_session=${id}`)).toBe('oidc:alice');
    expect(await who(`gatehouse_session=${id}`)).toBeNull();
  });

  it('signs out only with the session CSRF token, deleting the session', async () => {
    const { store, cookie, csrf } = await signedIn();
    const app = consoleApp(store);
    const logout = (body: string) =>
      app.request('/auth/logout', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body,
      });
    expect((await logout('')).status).toBe(403);
    const out = await logout(`_csrf=${encodeURIComponent(csrf)}`);
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect(await (await app.request('/whoami', { headers: { cookie } })).json()).toEqual({
      who: null,
      csrf: null,
    });
    expect(await store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });
});
