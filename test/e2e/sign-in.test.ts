import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/index.js';
import { main } from '../../src/cli/index.js';
import { issueFirstAdminLink, oidcSignIn, resolveSession } from '../../src/identity/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { Browser, demoUsers, type OidcProvider, startOidcProvider } from '../../testcluster/oidc/index.js';
import { cli } from '../support/cli.js';
import { startServe } from '../support/serve.js';
import { type FreshStore, freshStore } from '../support/stores.js';
import {
  serverWithSignIn,
  signInAs,
  signInSettings,
  tempHome,
  testOidcSettings,
} from '../support/web-sign-in.js';

// The real test OpenID Provider (on a free port: the cluster is not involved) and a real
// `gatehouse serve`, driven over HTTP as a browser and the CLI would.

const sessions = { idleSeconds: 1800, absoluteSeconds: 3600 };
let op: OidcProvider;
let fresh: FreshStore;
let server: RunningServer;

beforeAll(async () => {
  op = await startOidcProvider({ users: demoUsers, port: 0 });
  fresh = await freshStore('sqlite');
  server = await serverWithSignIn(fresh.store, { ...signInSettings(op), sessions });
});

afterAll(async () => {
  await server?.close();
  await op?.close();
  await fresh?.cleanup();
});

const whoami = async (token: string) => {
  const response = await fetch(`${server.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** `gatehouse login` in process, with the browser part played by the driver as `username`. */
async function cliLogin(username: string, home: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  let announce: (url: string) => void = () => undefined;
  const link = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const running = main(['login', '--server', server.url], {
    stdout: () => undefined,
    stderr: (text) => {
      stderr += text;
      const url = /(http:\/\/\S+\/auth\/login\?\S+)/.exec(stderr)?.[1];
      if (url) announce(url);
    },
    env: { HOME: '/nonexistent-home', GATEHOUSE_HOME: home },
  });
  const browser = new Browser(op.caCertificate);
  const arrived = await signInAs(browser, await link, { username, issuer: op.issuer });
  expect(arrived.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
  const handedOver = await browser.get(arrived.location!);
  expect(handedOver.body).toContain('Signed in');
  return { code: await running, stderr };
}

const storedToken = (home: string) =>
  (
    JSON.parse(readFileSync(join(home, 'credentials'), 'utf8')) as {
      servers: Record<string, { token: string }>;
    }
  ).servers[server.url]!.token;

describe('signing in to Gatehouse', () => {
  it('lets the first administrator in once through the link `gatehouse serve` prints on a fresh store', async () => {
    const link = await issueFirstAdminLink(fresh.store, { publicUrl: server.url });
    const browser = new Browser(op.caCertificate);
    const shown = await browser.get(link!.url);
    expect(shown.status).toBe(200);
    const token = new URL(link!.url).searchParams.get('token')!;
    const used = await browser.postForm(`${server.url}/auth/first-admin`, { token });
    expect(used).toMatchObject({ status: 303, location: `${server.url}/` });
    const found = await resolveSession(fresh.store, sessions, browser.cookie('gatehouse_session')!, {
      kind: 'browser',
    });
    expect(found).toMatchObject({
      session: { principal: { subject: 'local:first-admin', roles: ['admin'] } },
    });
    const again = await new Browser(op.caCertificate).postForm(`${server.url}/auth/first-admin`, { token });
    expect(again.status).toBe(401);
    expect(again.body).toContain('unknown, used or expired');
  });

  it('signs alice in through the authorization-code flow and returns her to the page she asked for', async () => {
    const browser = new Browser(op.caCertificate);
    const back = await signInAs(browser, `${server.url}/auth/login?next=/access/requests%3Fmine%3D1`, {
      username: 'alice',
      issuer: op.issuer,
    });
    expect(back).toMatchObject({ status: 303, location: `${server.url}/access/requests?mine=1` });
    const cookie = back.setCookies.find((line) => line.startsWith('gatehouse_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const found = await resolveSession(fresh.store, sessions, browser.cookie('gatehouse_session')!, {
      kind: 'browser',
    });
    expect(found).toMatchObject({
      session: {
        method: 'oidc',
        principal: {
          subject: 'oidc:alice',
          groups: ['oidc:devs'],
          roles: [],
          authenticatedBy: { kind: 'session' },
        },
      },
    });
    const audit = await listAudit(fresh.store);
    expect(audit.at(-1)).toMatchObject({ action: 'auth.sign-in', actor: 'oidc:alice', outcome: 'succeeded' });
    // A replayed callback (same code, the attempt cookie gone) opens nothing.
    const stolen = new Browser(op.caCertificate);
    const replay = await stolen.get(`${server.url}/auth/callback?code=abc&state=def`);
    expect(replay.status).toBe(401);
    expect(replay.body).toContain('no sign-in is in progress in this browser');
    // Sign-out needs the session's CSRF token, then ends the session.
    const csrf = 'session' in found ? found.session.csrfToken : '';
    const out = await browser.postForm(`${server.url}/auth/logout`, { _csrf: csrf });
    expect(out).toMatchObject({ status: 303, location: `${server.url}/login` });
    expect(browser.cookie('gatehouse_session')).toBeUndefined();
    expect((await listAudit(fresh.store)).at(-1)).toMatchObject({
      action: 'auth.sign-out',
      actor: 'oidc:alice',
    });
  });

  it('gives the CLI a session token through `gatehouse login`, usable on /v1 and for remote access commands, ended by `gatehouse logout`', async () => {
    const home = tempHome();
    const login = await cliLogin('alice', home);
    expect(login.stderr).toContain(`Signed in to ${server.url} as oidc:alice`);
    expect(login.code).toBe(0);
    expect(statSync(join(home, 'credentials')).mode & 0o777).toBe(0o600);
    const token = storedToken(home);
    expect(await whoami(token)).toEqual({
      status: 200,
      body: { user: 'oidc:alice', groups: ['oidc:devs'], admin: false },
    });
    const env = { GATEHOUSE_HOME: home, GATEHOUSE_SERVER: server.url };
    const listed = await cli(['access', 'list', '-o', 'json'], env);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    const out = await cli(['logout', '--server', server.url], env);
    expect(out.stderr).toContain('Signed out');
    expect((await whoami(token)).status).toBe(401);
    const after = await cli(['access', 'list'], env);
    expect(after.code).toBe(4);
    expect(after.stderr).toContain('gatehouse login --server');
  });

  it('maps carol to admin by her group', async () => {
    const home = tempHome();
    expect((await cliLogin('carol', home)).code).toBe(0);
    expect(await whoami(storedToken(home))).toEqual({
      status: 200,
      body: { user: 'oidc:carol', groups: ['oidc:gatehouse-admins'], admin: true },
    });
  });

  it('refuses a tampered or expired session token, and a tampered session cookie', async () => {
    const home = tempHome();
    expect((await cliLogin('bob', home)).code).toBe(0);
    const token = storedToken(home);
    const tampered = await whoami(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({ error: { message: 'unknown or ended session token' } });
    // Time passes: the session's absolute expiry is behind us.
    await fresh.store.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    const expired = await whoami(token);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ error: { message: 'the session token expired' } });
    const browser = new Browser(op.caCertificate);
    await signInAs(browser, `${server.url}/auth/login`, { username: 'bob', issuer: op.issuer });
    browser.setCookie('gatehouse_session', `${browser.cookie('gatehouse_session')}x`);
    const refused = await browser.postForm(`${server.url}/anything`, { _csrf: 'guess' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('not signed in');
  });

  it('explains a provider it cannot reach or trust, and a refusal by the provider', async () => {
    const untrusted = await serverWithSignIn(fresh.store, {
      oidc: oidcSignIn(testOidcSettings(op, { caFile: undefined })),
    });
    const closed = await serverWithSignIn(fresh.store, {
      oidc: oidcSignIn(testOidcSettings(op, { issuer: 'https://127.0.0.1:9' })),
    });
    try {
      const tls = await new Browser(op.caCertificate).get(`${untrusted.url}/auth/login`);
      expect(tls.status).toBe(502);
      expect(tls.body).toContain('discovering the OpenID Provider');
      expect(tls.body).toContain('oidc.caFile');
      const down = await new Browser(op.caCertificate).get(`${closed.url}/auth/login`, {
        accept: 'application/json',
      });
      expect(down.status).toBe(502);
      expect(JSON.parse(down.body)).toMatchObject({
        error: { code: 'idp.unavailable', fix: expect.stringContaining('reachable') },
      });
    } finally {
      await untrusted.close();
      await closed.close();
    }
    const browser = new Browser(op.caCertificate);
    const toProvider = await browser.get(`${server.url}/auth/login`);
    const state = new URL(toProvider.location!).searchParams.get('state');
    const denied = await browser.get(
      `${server.url}/auth/callback?error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}&state=${state}`,
    );
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('the identity provider refused the sign-in: access_denied &#60;b&#62;no');
  });

  it('has `gatehouse serve` on a fresh store print the first-admin link, and sign people in with the provider from GATEHOUSE_OIDC_*', async () => {
    const home = tempHome();
    const serving = await startServe([], {
      GATEHOUSE_HOME: home,
      GATEHOUSE_OIDC_ISSUER: op.issuer,
      GATEHOUSE_OIDC_CLIENT_ID: 'gatehouse',
      GATEHOUSE_OIDC_CLIENT_SECRET: 'gatehouse-test-secret',
      GATEHOUSE_OIDC_CA_FILE: op.caFile,
    });
    try {
      const deadline = Date.now() + 10_000;
      let printed: string | undefined;
      while (!printed && Date.now() < deadline) {
        printed = serving.log
          .map((line) => /one-time link .*: (http:\/\/\S+)$/.exec(line)?.[1])
          .find(Boolean);
        if (!printed) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(printed).toMatch(new RegExp(`^${serving.url}/auth/first-admin\\?token=`));
      expect(serving.log.join('\n')).toContain(`sign-in: ${serving.url}/auth/login through ${op.issuer}`);
      const admin = new Browser(op.caCertificate);
      await admin.get(printed!);
      const token = new URL(printed!).searchParams.get('token')!;
      expect((await admin.postForm(`${serving.url}/auth/first-admin`, { token })).status).toBe(303);
      const dave = new Browser(op.caCertificate);
      const back = await signInAs(dave, `${serving.url}/auth/login?next=/audit`, {
        username: 'dave',
        issuer: op.issuer,
      });
      expect(back).toMatchObject({ status: 303, location: `${serving.url}/audit` });
      expect(dave.cookie('gatehouse_session')).toMatch(/^ghs_/);
    } finally {
      await serving.stop();
    }
  });
});
