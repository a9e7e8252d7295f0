import { afterEach, describe, expect, it } from 'vitest';
import { consoleFlows, unreachableClient } from '../../test/support/console-app.js';
import { dialects, type FreshStore, freshStore } from '../../test/support/stores.js';
import { applyFlows, listFlows, listRequests, parseFlowFile } from '../access/index.js';
import { AppError } from '../errors.js';
import { createSession, localPrincipal } from '../identity/index.js';
import { createApp } from '../server/app.js';

const sessions = { idleSeconds: 1800, absoluteSeconds: 3600 };

/** The console as `gatehouse serve` mounts it: behind the real session middleware, beside the API. */
describe.each(dialects)('the console mounted in the server app on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  async function served() {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    await applyFlows(store, localPrincipal({ subject: 'setup' }), parseFlowFile(consoleFlows, 'flows'));
    const signIn = async (subject: string, roles: ('admin' | 'auditor')[] = []) => {
      const made = await createSession(store, sessions, {
        kind: 'browser',
        method: 'oidc',
        subject,
        groups: ['devs'],
        roles,
      });
      return { cookie: `gatehouse_session=${made.id}`, csrf: made.session.csrfToken };
    };
    const client = unreachableClient();
    const app = createApp({
      store,
      clientFor: async (cluster) => {
        if (cluster === 'prod') return client;
        throw new AppError('context.unknown', `no cluster ${cluster}`);
      },
      signIn: { sessions },
    });
    return { store, app, signIn, ...(await signIn('alice')) };
  }

  it('serves the pages to the session signed in, with that session’s CSRF token in its forms', async () => {
    const { app, cookie, csrf } = await served();
    const home = await app.request('/', { headers: { cookie } });
    expect(home.status).toBe(200);
    const page = await home.text();
    expect(page).toContain('Signed in as <strong>alice</strong>');
    expect(page).toContain(`name="_csrf" value="${csrf}"`);
    const signedOut = await app.request('/access/requests');
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe('/login?next=%2Faccess%2Frequests');
    expect((await app.request('/v1/whoami')).status).toBe(401);
  });

  it('makes a request from a form carrying the token, and the session middleware refuses one without it', async () => {
    const { store, app, cookie, csrf } = await served();
    const form = (token?: string) =>
      app.request('/access/requests', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...(token ? { _csrf: token } : {}),
          flow: 'oncall',
          cluster: 'prod',
          namespace: 'payments',
          role: 'ClusterRole/edit',
          duration: '1h',
          reason: 'restart the payments consumer',
        }).toString(),
      });
    expect((await form()).status).toBe(403);
    expect((await form('not-the-token')).status).toBe(403);
    expect(await listRequests(store)).toEqual([]);
    const made = await form(csrf);
    expect(made.status).toBe(303);
    const [request] = await listRequests(store);
    expect(request).toMatchObject({ requester: 'alice', state: 'pending' });
    expect(made.headers.get('location')).toBe(`/access/requests/${request!.id}`);
  });

  it('refuses a form larger than the API accepts before anything reads it', async () => {
    const { store, app, cookie, csrf } = await served();
    const huge = await app.request('/access/requests', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, flow: 'oncall', reason: 'x'.repeat(200_000) }).toString(),
    });
    expect(huge.status).toBe(413);
    expect(await listRequests(store)).toEqual([]);
  });

  it('reads an uploaded flow file after the session middleware has checked the form’s token', async () => {
    const { store, app, signIn } = await served();
    const carol = await signIn('carol', ['admin']);
    const body = new FormData();
    body.set('_csrf', carol.csrf);
    body.set('yaml', '');
    const yaml = consoleFlows.split('---')[0]!.replace('name: oncall', 'name: uploaded');
    body.set('file', new File([yaml], 'flows.yaml'));
    const response = await app.request('/access/flows', {
      method: 'POST',
      headers: { cookie: carol.cookie },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Applied: uploaded.');
    expect((await listFlows(store)).map((flow) => flow.name)).toContain('uploaded');
  });
});
