import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseFlowFile, saveFlows } from '../../src/access/index.js';
import { KubeClient, loadKubeconfig, subjectCan } from '../../src/kube/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type OidcProvider, startOidcProvider } from '../../testcluster/oidc/index.js';
import { demoUsers } from '../../testcluster/oidc/users.js';
import { pinnedCertificateFlag } from '../support/certificate-pin.js';
import { expectAccessible, launchBrowser, pageErrors, screenshot } from '../support/console-browser.js';
import { serverOver } from '../support/in-process-server.js';
import { signInSettings } from '../support/web-sign-in.js';

// The console as people use it: chromium signs each person in through the real OpenID Provider
// (the issuer the test cluster trusts), the real server grants on the real apiserver, and the
// apiserver's SubjectAccessReview says what the person may do. Screenshots go to
// test-results/screenshots/e2e-*.png; every page is checked with axe-core.

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const namespace = 'console-e2e';
// One minute, the shortest grant: the test watches it end.
const flow = `kind: AccessFlow
metadata: {name: console-e2e}
spec:
  requesters: {groups: ['oidc:devs']}
  approvers: {groups: ['oidc:approvers']}
  namespaces: [${namespace}]
  roles: [{kind: ClusterRole, name: edit}]
  maxDuration: 1m
`;

let op: OidcProvider;
let store: Store;
let home: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let requestPath = '';

/** Alice may create deployments in the namespace, as the apiserver decides it. */
const aliceMayEdit = async () =>
  (
    await subjectCan(admin, {
      user: 'oidc:alice',
      groups: ['oidc:devs', 'system:authenticated'],
      resourceAttributes: { namespace, verb: 'create', group: 'apps', resource: 'deployments' },
    })
  ).allowed;

/** A browser of its own for one person, signed in through the provider's sign-in form. */
async function signIn(username: string, base = server.url): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  const logged = pageErrors(page);
  page.on('close', () => errors.push(...logged.map((line) => `${username}: ${line}`)));
  await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.click('text=Sign in with your identity provider');
  await page.waitForURL((url) => url.origin === op.issuer);
  await page.fill('input[name=username]', username);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL((url) => url.origin === new URL(base).origin && url.pathname === '/');
  return page;
}

async function look(page: Page, name: string): Promise<void> {
  await screenshot(page, `e2e-${name}`);
  await expectAccessible(page, name);
}

/** Posts a form from the page's own session, as a hand-made form would: CSRF token optional. */
async function post(page: Page, path: string, form: Record<string, string>, withCsrf = true) {
  const csrf = withCsrf ? await page.locator('input[name=_csrf]').first().inputValue() : undefined;
  return await page
    .context()
    .request.post(path, { form: { ...form, ...(csrf ? { _csrf: csrf } : {}) }, maxRedirects: 0 });
}

describe('the console signed in through the OpenID Provider, on the real apiserver', () => {
  beforeAll(async () => {
    await admin
      .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: namespace } } })
      .catch(() => undefined);
    // The namespace is this file's own: a grant left by an interrupted run must not answer for this one.
    await admin.request({
      method: 'DELETE',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
    });
    op = await startOidcProvider({ users: demoUsers });
    home = mkdtempSync(join(tmpdir(), 'gatehouse-console-e2e-'));
    store = await openStore({ dataDir: home });
    await saveFlows(store, parseFlowFile(flow, 'console-e2e'), 'e2e');
    server = await serverOver(store, admin, { signIn: signInSettings(op) });
    browser = await launchBrowser({ args: [await pinnedCertificateFlag(op.issuer, op.caCertificate)] });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await store?.close();
    await op?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('lets alice ask and bob approve, and the apiserver then allows alice, shown active with its countdown', async () => {
    expect(await aliceMayEdit()).toBe(false);
    const alice = await signIn('alice');
    await look(alice, 'home-alice');
    await alice.goto('/access/requests');
    // Alice may use one flow only: the form opens on it, no flow to choose.
    expect(await alice.locator('#choose-flow').count()).toBe(0);
    // The flow allows any cluster Gatehouse knows: typed, as a person would.
    await alice.fill('#field-cluster', cluster);
    await alice.selectOption('#field-namespace', namespace);
    await alice.fill('#field-reason', 'INC-2231: the checkout deployment is crash-looping');
    await look(alice, 'request-form');
    await alice.click('button:has-text("Request access")');
    await alice.waitForURL(/\/access\/requests\/[0-9a-f-]{36}$/);
    requestPath = new URL(alice.url()).pathname;
    expect(await alice.textContent('.badge')).toBe('pending');

    const bob = await signIn('bob');
    await bob.goto('/access/approvals');
    // The approver sees what the grant adds before deciding, risky parts included.
    await expect.poll(() => bob.textContent('main')).toContain('pods/exec');
    await bob.fill('textarea[name=reason]', 'Fine for INC-2231; one minute is enough');
    await look(bob, 'approvals');
    await bob.click('button:has-text("Approve")');
    await bob.waitForURL(/done=approve/);

    await expect.poll(aliceMayEdit, { timeout: 15_000, interval: 200 }).toBe(true);
    await alice.waitForSelector('.badge-active', { timeout: 15_000 });
    const first = await alice.textContent('.countdown');
    await expect.poll(() => alice.textContent('.countdown'), { timeout: 5000 }).not.toBe(first);
    // The approver's reason reaches the requester in the request's history.
    expect(await alice.textContent('main')).toContain('Fine for INC-2231; one minute is enough');
    await look(alice, 'request-active');
  }, 120_000);

  it('refuses an approval of her own request to alice, and any approval to dave the auditor', async () => {
    const alice = await signIn('alice');
    await alice.goto(requestPath);
    expect(await alice.locator('button:has-text("Approve")').count()).toBe(0);
    const own = await post(alice, `${requestPath}/approve`, { reason: 'looks fine to me' });
    expect(own.status()).toBeGreaterThanOrEqual(400);
    expect(await own.text()).toMatch(/may not|cannot|not allowed|refused/i);

    const dave = await signIn('dave');
    await dave.goto(requestPath);
    expect(await dave.locator('button:has-text("Approve")').count()).toBe(0);
    const audited = await post(dave, `${requestPath}/approve`, { reason: 'auditor approving' });
    expect(audited.status()).toBeGreaterThanOrEqual(400);
    await look(dave, 'request-auditor');
    await dave.goto('/audit');
    await expect.poll(() => dave.textContent('main')).toContain('access.approve');
    await look(dave, 'audit');
  }, 120_000);

  it('refuses a form posted without its CSRF token, and sends an ended session back to sign-in', async () => {
    const alice = await signIn('alice');
    await alice.goto('/access/requests');
    const forged = await post(
      alice,
      '/access/requests',
      { flow: 'console-e2e', cluster, namespace, role: 'ClusterRole/edit', duration: '1m', reason: 'forged' },
      false,
    );
    expect(forged.status()).toBe(403);

    // A server whose sessions go idle after 2 s, over the same store and provider.
    const strict = await serverOver(store, admin, {
      intervalMs: 60_000,
      signIn: { ...signInSettings(op), sessions: { idleSeconds: 2, absoluteSeconds: 3600 } },
    });
    try {
      const rita = await signIn('rita', strict.url);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await rita.goto('/access/requests');
      expect(new URL(rita.url()).pathname).toBe('/login');
      expect(new URL(rita.url()).searchParams.get('next')).toBe('/access/requests');
      await look(rita, 'login-after-idle');
    } finally {
      await strict.close();
    }
  }, 120_000);

  it('shows the grant ended once its minute is up, and the apiserver refuses alice again', async () => {
    await expect.poll(aliceMayEdit, { timeout: 90_000, interval: 500 }).toBe(false);
    const alice = await signIn('alice');
    await alice.goto(requestPath);
    await expect.poll(() => alice.textContent('.badge'), { timeout: 10_000 }).toBe('expired');
    expect(await alice.locator('.countdown').count()).toBe(0);
    await look(alice, 'request-expired');
    for (const context of contexts) await context.close();
    contexts.length = 0;
    expect(errors).toEqual([]);
  }, 120_000);
});
