import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listAudit } from '../../src/audit/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type OidcProvider, startOidcProvider } from '../../testcluster/oidc/index.js';
import { demoUsers } from '../../testcluster/oidc/users.js';
import { intrusionTraces, plantScript } from '../../testcluster/seed/intrusion-traces.js';
import { pinnedCertificateFlag } from '../support/certificate-pin.js';
import { cli } from '../support/cli.js';
import { expectAccessible, launchBrowser, pageErrors, screenshot } from '../support/console-browser.js';
import { kubectl } from '../support/kubectl.js';
import { signInSettings } from '../support/web-sign-in.js';

// A responder acquires from the console as Cado's import does (cluster → namespace → pod →
// container), but on the real apiserver, signed in through the real OpenID Provider, with the
// acquisition running in the server. Screenshots go to test-results/screenshots/e2e-forensics-*.png;
// every page is checked with axe-core.

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;

let op: OidcProvider;
let store: Store;
let home: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let packageId = '';

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  contexts.push(context);
  const page = await context.newPage();
  const logged = pageErrors(page);
  page.on('close', () => errors.push(...logged.map((line) => `${username}: ${line}`)));
  await page.goto('/forensics');
  await page.click('text=Sign in with your identity provider');
  await page.waitForURL((url) => url.origin === op.issuer);
  await page.fill('input[name=username]', username);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL((url) => url.origin === new URL(server.url).origin && url.pathname === '/forensics');
  return page;
}

async function look(page: Page, name: string): Promise<void> {
  await screenshot(page, `e2e-forensics-${name}`);
  await expectAccessible(page, name);
}

/** Waits for the job page to say it finished (its script reloads it when the server says done). */
async function finished(page: Page): Promise<void> {
  await page.waitForURL(/\/forensics\/jobs\/[0-9a-f-]{36}$/);
  await page.waitForSelector('h1:has-text("Acquisition finished")', { timeout: 150_000 });
}

describe('acquiring from the console on the real apiserver', () => {
  beforeAll(async () => {
    // A cluster seeded before these traces existed gets them now; on a fresh one this changes nothing.
    const plant = kubectl(kubeconfig, [
      'exec',
      '-n',
      'storefront',
      'legacy-cart',
      '--',
      'sh',
      '-c',
      plantScript(intrusionTraces),
    ]);
    expect(plant.status, plant.stderr).toBe(0);
    op = await startOidcProvider({ users: demoUsers });
    home = mkdtempSync(join(tmpdir(), 'gatehouse-console-forensics-e2e-'));
    store = await openStore({ dataDir: home });
    server = await startServer({
      gatehouse: {
        store: async () => store,
        clusters: {
          client: async () => admin,
          accessEntries: async () => undefined,
          list: async () => ({
            clusters: [{ name: cluster, provider: 'kubeconfig', server: admin.server, current: true }],
            errors: [],
          }),
        },
      },
      host: '127.0.0.1',
      port: 0,
      intervalMs: 60_000,
      webhooks: [],
      log: () => undefined,
      evidenceRoot: join(home, 'evidence'),
      signIn: signInSettings(op),
    });
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

  it('lets rita go cluster → namespace → the planted pod → its container, acquire it, see high-severity indicators, verify and download a package that verifies offline', async () => {
    const rita = await signIn('rita');
    await look(rita, 'clusters');
    await rita.click(`main a:text-is("${cluster}")`);
    await look(rita, 'namespaces');
    await rita.click('main a:text-is("storefront")');
    await look(rita, 'pods');
    await rita.click('main a:text-is("legacy-cart")');
    await look(rita, 'containers');
    await rita.click('main table a:text-is("php")');
    expect(await rita.textContent('[data-method="exec"]')).toContain(
      'holds every permission this method needs',
    );
    await look(rita, 'container');
    await rita.click('button:text-is("Acquire")');
    // No look at the running page: the acquisition takes about two seconds, then the page reloads itself.
    await finished(rita);
    const result = rita.locator('section.result');
    expect(await result.locator('.badge-high, .badge-critical').count()).toBeGreaterThan(0);
    await look(rita, 'job-finished');
    // A reload keeps the result: it lives in the server, not in the page.
    await rita.reload();
    await rita.waitForSelector('section.result');
    await result.locator('dd a').first().click();
    await rita.waitForURL(/\/evidence\/[0-9TZ]+-[0-9a-f]{8}$/);
    packageId = new URL(rita.url()).pathname.split('/')[2] ?? '';
    expect(await rita.textContent('#indicators-heading')).toMatch(/Indicators \(\d+\)/);
    expect(await rita.locator('main .badge-high, main .badge-critical').count()).toBeGreaterThan(0);
    await rita.click('button:has-text("Verify")');
    await rita.waitForSelector('.notice.ok');
    expect(await rita.textContent('.notice.ok')).toContain('The package verifies.');
    await look(rita, 'evidence-verified');
    const download = rita.waitForEvent('download');
    await rita.click('a:has-text("Download package (.tar)")');
    const archive = join(home, 'downloaded.tar');
    await (await download).saveAs(archive);

    // Offline: another data directory, no server, no cluster; only the archive and the public key.
    const auditor = mkdtempSync(join(tmpdir(), 'gatehouse-offline-auditor-'));
    const publicKey = join(auditor, 'audit.pub');
    writeFileSync(publicKey, (await cli(['audit', 'public-key'], { GATEHOUSE_HOME: home })).stdout);
    const verify = await cli(['evidence', 'verify', archive, '--public-key', publicKey], {
      GATEHOUSE_HOME: auditor,
    });
    expect(verify.stdout).toMatch(/^VERIFIED: \d+ files/);
    expect(verify.code).toBe(0);
    rmSync(auditor, { recursive: true, force: true });

    const entries = await listAudit(store, { action: 'forensics.acquire' });
    expect(entries.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual([
      ['oidc:rita', 'started', 'storefront/legacy-cart/php'],
      ['oidc:rita', 'succeeded', 'storefront/legacy-cart/php'],
    ]);
    expect(entries[1]?.details.package).toBe(packageId);
  }, 240_000);

  it('lists the distroless token signer as hidden with its reason, and with the switch on acquires it through an ephemeral debug container', async () => {
    const rita = await signIn('rita');
    await rita.goto(`/forensics?cluster=${encodeURIComponent(cluster)}&namespace=payments`);
    const hidden = rita.locator('section.hidden-list');
    expect(await hidden.textContent()).toMatch(/token-signer:\s*no shell in the image \(distroless\)/);
    expect(await rita.locator('main table a:text-is("token-signer")').count()).toBe(0);
    await look(rita, 'hidden-pods');
    await hidden.locator('a[data-switch="hidden"]').click();
    await rita.click('main table a:text-is("token-signer")');
    await rita.click('main table a:text-is("signer")');
    expect(await rita.locator('[data-method="exec"]').count()).toBe(0);
    expect(await rita.textContent('[data-method="ephemeral"]')).toContain('holds every permission');
    expect(await rita.isChecked('#method-ephemeral')).toBe(true);
    await look(rita, 'container-ephemeral');
    await rita.click('button:text-is("Acquire")');
    await finished(rita);
    const result = rita.locator('section.result');
    expect(await result.textContent()).toContain('ephemeral');
    expect(await result.locator('dd a').count()).toBe(1);
    await look(rita, 'job-ephemeral');

    // An image whose name says nothing of a missing shell: one probe per container finds it.
    await rita.goto(`/forensics?cluster=${encodeURIComponent(cluster)}&namespace=payments&pod=pdf-renderer`);
    expect(await rita.locator('main table a:text-is("renderer")').count()).toBe(1);
    await rita.click('a:has-text("Probe each container for a shell")');
    await rita.waitForURL(/probe=shell/);
    expect(await rita.textContent('section.hidden-list')).toMatch(/renderer:\s*no shell found by the probe/);
    await look(rita, 'containers-probed');
  }, 240_000);

  it('shows dave the auditor the forensics and evidence pages but no acquire button, and refuses and audits his post', async () => {
    const dave = await signIn('dave');
    await dave.goto(
      `/forensics?cluster=${encodeURIComponent(cluster)}&namespace=storefront&pod=legacy-cart&container=php`,
    );
    expect(await dave.textContent('main')).toContain('Acquiring needs the responder role');
    expect(await dave.locator('button:text-is("Acquire")').count()).toBe(0);
    await look(dave, 'container-auditor');
    await dave.setViewportSize({ width: 800, height: 900 });
    await look(dave, 'container-auditor-800px');
    await dave.setViewportSize({ width: 1280, height: 800 });
    const csrf = await dave.locator('input[name=_csrf]').first().inputValue();
    const refused = await dave.context().request.post('/forensics/acquire', {
      form: {
        _csrf: csrf,
        cluster,
        namespace: 'storefront',
        pod: 'legacy-cart',
        container: 'php',
        method: 'exec',
      },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    await dave.goto('/evidence');
    expect(await dave.textContent('main')).toContain(packageId);
    await look(dave, 'evidence-auditor');
    const denied = (await listAudit(store, { action: 'forensics.acquire' })).filter(
      (entry) => entry.outcome === 'denied',
    );
    expect(denied.map((entry) => [entry.actor, entry.target])).toEqual([
      ['oidc:dave', 'storefront/legacy-cart/php'],
    ]);
    for (const context of contexts) await context.close();
    contexts.length = 0;
    expect(errors).toEqual([]);
  }, 120_000);
});
