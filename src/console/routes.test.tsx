import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture, csrfOf } from '../../test/support/console-app.js';
import { createAgent, recordConnected, recordDisconnected } from '../agent/index.js';
import { script, styles } from './assets.js';
import { contentSecurityPolicy } from './index.js';

/** Every page of the console, by its stable URL. */
const pages = [
  '/',
  '/clusters',
  '/forensics',
  '/governance',
  '/reviews',
  '/access/requests',
  '/access/approvals',
  '/access/flows',
  '/audit',
  '/evidence',
];

describe('the console shell', () => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('sends a signed-out visitor of every page to sign-in, with the page to come back to', async () => {
    fixture = await consoleFixture('sqlite');
    for (const path of pages) {
      const response = await fixture.visit(undefined, path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe(`/login?next=${encodeURIComponent(path)}`);
      expect(response.headers.get('content-security-policy'), path).toBe(contentSecurityPolicy);
    }
  });

  it('offers the identity provider on the sign-in page, or, with none configured, says how the first administrator gets in', async () => {
    fixture = await consoleFixture('sqlite');
    const withProvider = await (await fixture.visit(undefined, '/login?next=/audit')).text();
    expect(withProvider).toContain('href="/auth/login?next=%2Faudit"');
    await fixture.fresh.cleanup();
    fixture = await consoleFixture('sqlite', { signInWithProvider: false });
    const without = await (await fixture.visit(undefined, '/login')).text();
    expect(without).not.toContain('/auth/login');
    expect(without).toContain('one-time link');
    expect(without).toContain('oidc.issuer');
  });

  it('serves every page with the security headers, the navigation and a sign-out form carrying the CSRF token', async () => {
    fixture = await consoleFixture('sqlite');
    for (const path of pages) {
      const response = await fixture.visit('carol', path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
      const page = await response.text();
      expect(page).toMatch(/^<!doctype html>/);
      expect(page).toContain(
        `<form method="post" action="/auth/logout"><input type="hidden" name="_csrf" value="${csrfOf('carol')}"/>`,
      );
      expect(page, path).toMatch(new RegExp(`<a href="${path}" aria-current="page">`));
      // No inline script or style: the policy would block it.
      expect(page).not.toMatch(/<script>|<style|style="/);
    }
  });

  it('shows the sign-in button with where to return, and the error sign-in reported, escaped', async () => {
    fixture = await consoleFixture('sqlite');
    const response = await fixture.visit(
      undefined,
      '/login?next=%2Faccess%2Fapprovals&error=%3Cb%3Edenied%3C%2Fb%3E',
    );
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    const page = await response.text();
    expect(page).toContain(`href="/auth/login?next=${encodeURIComponent('/access/approvals')}"`);
    expect(page).toContain('Sign in with your identity provider');
    expect(page).toContain('&lt;b&gt;denied&lt;/b&gt;');
    const offsite = await (await fixture.visit(undefined, '/login?next=//evil.example/')).text();
    expect(offsite).toContain('href="/auth/login?next=%2F"');
    const signedIn = await fixture.visit('alice', '/login?next=/audit');
    expect(signedIn.headers.get('location')).toBe('/audit');
  });

  it('serves its own CSS and script under content-hashed URLs, cached for a year', async () => {
    fixture = await consoleFixture('sqlite');
    for (const asset of [styles, script]) {
      expect(asset.url).toMatch(/^\/assets\/console\.[0-9a-f]{12}\.(css|js)$/);
      const response = await fixture.visit(undefined, asset.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-type')).toBe(asset.contentType);
      expect(await response.text()).toBe(asset.body);
    }
    expect((await fixture.visit(undefined, '/assets/console.000000000000.css')).status).toBe(404);
  });

  it('lists the clusters Gatehouse knows, and serves every pillar of the navigation as a page of its own', async () => {
    fixture = await consoleFixture('sqlite');
    const clusters = await (await fixture.visit('alice', '/clusters')).text();
    expect(clusters).toContain('<strong>prod</strong> (default)');
    expect(clusters).toContain('<code>https://127.0.0.1:1</code>');
    for (const path of ['/forensics', '/evidence', '/governance', '/reviews']) {
      const response = await fixture.visit('carol', path);
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain('Coming to the console');
    }
  });

  it('lists the clusters reached through an agent: online, offline with the reason and fix, or never connected', async () => {
    fixture = await consoleFixture('sqlite');
    const { store } = fixture.fresh;
    await createAgent(store, { name: 'quiet', actor: 'carol' });
    const { agent } = await createAgent(store, { name: 'prod-eu', actor: 'carol' });
    await recordConnected(store, {
      agent,
      hello: { version: '0.1.0', kubernetesVersion: 'v1.36.3' },
      replica: 'r1',
      address: '10.0.0.5',
    });
    const online = await (await fixture.visit('dave', '/clusters')).text();
    expect(online).toMatch(/<strong>agent\/prod-eu<\/strong>.*badge-active">online<.*v1\.36\.3/s);
    expect(online).toMatch(/<strong>agent\/quiet<\/strong>.*never-connected.*Its agent has never connected/s);
    await recordDisconnected(store, { agent, replica: 'r1', reason: 'the agent closed the connection' });
    const offline = await (await fixture.visit('dave', '/clusters')).text();
    expect(offline).toMatch(
      /<strong>agent\/prod-eu<\/strong>.*badge-refused">offline<.*Its agent is offline since/s,
    );
    expect(offline).toContain('Check the agent pod in that cluster');
  });
});
