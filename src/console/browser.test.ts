import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture, type Person } from '../../test/support/console-app.js';
import {
  expectAccessible,
  launchBrowser,
  pageErrors,
  personContext,
  screenshot,
} from '../../test/support/console-browser.js';
import { hostileUser, storeSync } from '../../test/support/governance-sync.js';
import { sealedShopPackage } from '../../test/support/sealed-evidence.js';
import { listRequests } from '../access/index.js';
import { transition } from '../access/requests.js';
import { createAgent, recordConnected } from '../agent/index.js';

/**
 * The console in a real browser, served on a loopback port behind the test session seam (a
 * cookie names the person; see test/support/console-app.ts). Each person browses in a context of
 * their own. Every page is screenshotted and checked with axe-core, and no page may log an error:
 * a script or style the Content-Security-Policy blocks would show up there.
 */
describe('the console in a browser', () => {
  let fixture: ConsoleFixture;
  let server: ServerType;
  let baseURL: string;
  let browser: Browser;
  let evidenceRoot: string;
  const errors: string[] = [];

  beforeAll(async () => {
    evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-browser-evidence-'));
    fixture = await consoleFixture('sqlite', { eventPollMs: 200, evidenceRoot });
    server = serve({ fetch: fixture.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await fixture?.fresh.cleanup();
  });

  async function open(person: Person | undefined, path: string, width = 1280): Promise<Page> {
    const context = await personContext(browser, {
      baseURL,
      width,
      ...(person ? { cookies: { 'test-person': person } } : {}),
    });
    const page = await context.newPage();
    const logged = pageErrors(page);
    page.on('close', () => errors.push(...logged.map((line) => `${person ?? 'anonymous'} ${path}: ${line}`)));
    await page.goto(path);
    return page;
  }

  /** Screenshot and accessibility check of the page as it is now. */
  async function look(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    await expectAccessible(page, name);
  }

  it('lets a requester ask, an approver approve, and the requester watch it go live', async () => {
    const alice = await open('alice', '/access/requests');
    await alice.selectOption('#choose-flow', 'oncall');
    await alice.click('button:has-text("Continue")');
    await alice.selectOption('#field-namespace', 'payments');
    await alice.selectOption('#field-duration', '1h');
    await alice.click('button:has-text("Request access")');
    // The flow requires a justification: the server says so beside the reason field.
    await expect.poll(() => alice.textContent('#reason-error')).toContain('requires a justification');
    await look(alice, 'requests-form-error');
    await alice.fill('#field-reason', 'Incident 4711: payments queue stuck, need to restart the consumer');
    await alice.click('button:has-text("Request access")');
    await alice.waitForURL(/\/access\/requests\/[0-9a-f-]{36}$/);
    expect(await alice.textContent('.badge')).toBe('pending');
    await look(alice, 'request-pending');

    const bob = await open('bob', '/access/approvals');
    await look(bob, 'approvals');
    await bob.click('button:has-text("Approve")');
    await bob.waitForURL(/done=approve/);
    // Alice's open page hears the change through server-sent events and reloads itself.
    await alice.waitForSelector('.badge-approved', { timeout: 10_000 });

    const [request] = await listRequests(fixture.fresh.store);
    const now = new Date();
    const expires = new Date(now.getTime() + 3_600_000).toISOString();
    // The reconciler's grant without a cluster: the same store transition it makes.
    await transition(
      fixture.fresh.store,
      request!.id,
      ['approved'],
      'active',
      { activated_at: now.toISOString(), expires_at: expires },
      now,
    );
    await alice.waitForSelector('.badge-active', { timeout: 10_000 });
    const first = await alice.textContent('.countdown');
    await expect.poll(() => alice.textContent('.countdown'), { timeout: 5000 }).not.toBe(first);
    await look(alice, 'request-active');
    await bob.goto(`/access/requests/${request!.id}`);
    await look(bob, 'request-active-approver');

    const home = await open('alice', '/');
    await look(home, 'home-requester');
    await look(await open('alice', '/access/requests'), 'requests');
  }, 120_000);

  it('shows an auditor the request without buttons, and the audit log', async () => {
    const [request] = await listRequests(fixture.fresh.store);
    const dave = await open('dave', `/access/requests/${request!.id}`);
    expect(await dave.locator('button:has-text("Approve")').count()).toBe(0);
    await look(dave, 'request-auditor');
    await look(await open('dave', '/audit'), 'audit');
    await look(await open('dave', '/'), 'home-auditor');
  }, 60_000);

  it('shows an admin where a flow file is wrong', async () => {
    const carol = await open('carol', '/access/flows');
    await carol.fill(
      '#flows-text',
      'kind: AccessFlow\nmetadata: {name: broken}\nspec:\n  requesters: {groups: [devs]}\n  roles: [{kind: Clusterrole, name: view}]\n  maxDuration: 1h\n',
    );
    await carol.click('button:has-text("Apply flows")');
    await expect.poll(() => carol.textContent('#flows-error')).toContain('spec.roles[0].kind');
    await look(carol, 'flows-error');
  }, 60_000);

  it('shows an auditor the governance pages: syncs, who can, a subject, risks and what changed', async () => {
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    await storeSync(fixture.fresh.store, {
      cluster: 'prod',
      at: '2026-12-01T06:00:00.000Z',
      errors: [
        {
          resource: 'roles.rbac.authorization.k8s.io',
          code: 'auth.forbidden',
          message: 'roles is forbidden',
        },
      ],
    });
    const dave = await open('dave', '/governance');
    await look(dave, 'governance');
    await dave.click('a:has-text("Who can…")');
    await dave.fill('#who-verb', 'create');
    await dave.fill('#who-resource', 'pods');
    await dave.fill('#who-subresource', 'exec');
    await dave.fill('#who-namespace', 'payments');
    await dave.click('button:has-text("Ask")');
    await dave.waitForURL(/verb=create/);
    expect(await dave.textContent('table')).toContain(hostileUser);
    await look(dave, 'governance-who-can');
    await dave.click('a:has-text("devs")');
    await dave.waitForURL(/\/governance\/subjects\/group\/devs/);
    await look(dave, 'governance-subject');
    await look(await open('dave', '/governance/who-can', 800), 'governance-who-can-800px');
    await look(await open('dave', '/governance/risks', 800), 'governance-risks-800px');
    await look(await open('dave', '/governance/diff'), 'governance-diff');
  }, 60_000);

  it('shows a responder the evidence packages, and a package verified with its indicators, timeline and files', async () => {
    const { id } = await sealedShopPackage(fixture.fresh.store, evidenceRoot);
    await look(await open('rita', '/evidence'), 'evidence');
    const rita = await open('rita', `/evidence/${id}`);
    await rita.click('button:has-text("Verify")');
    await rita.waitForSelector('.notice.ok');
    expect(await rita.textContent('.notice.ok')).toContain('The package verifies.');
    // The quoted webshell line is shown as text: its markup never becomes an element.
    expect(await rita.locator('blockquote script').count()).toBe(0);
    await look(rita, 'evidence-package');
    await look(await open('dave', `/evidence/${id}`, 800), 'evidence-package-800px');
  }, 60_000);

  it('renders the remaining pages, the sign-in page and narrow screens without errors', async () => {
    const { agent } = await createAgent(fixture.fresh.store, { name: 'prod-eu', actor: 'carol' });
    await recordConnected(fixture.fresh.store, {
      agent,
      hello: { version: '0.1.0', kubernetesVersion: 'v1.36.3' },
      replica: 'r1',
      address: '10.0.0.5',
    });
    await createAgent(fixture.fresh.store, { name: 'dr-site', actor: 'carol' });
    for (const [path, name] of [
      ['/clusters', 'clusters'],
      ['/reviews', 'reviews'],
    ] as const)
      await look(await open('bob', path), name);
    await look(await open('rita', '/forensics'), 'forensics');
    const signedOut = await open(undefined, '/access/approvals');
    expect(new URL(signedOut.url()).pathname).toBe('/login');
    await look(signedOut, 'login');
    await look(await open('bob', '/access/approvals', 800), 'approvals-800px');
    await look(await open('alice', '/access/requests', 800), 'requests-800px');
    await look(await open('dave', '/audit', 800), 'audit-800px');
    for (const context of browser.contexts()) await context.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
