import type { AddressInfo } from 'node:net';
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
import { reviewRead } from '../../test/support/review-read.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import { type Campaign, createCampaign, listCampaigns, listItems } from '../reviews/index.js';

/** The review pages in a real browser (Debian's chromium) behind the test session seam; screenshots and axe. */
describe('the review pages in a browser', () => {
  let fixture: ConsoleFixture;
  let server: ServerType;
  let baseURL: string;
  let browser: Browser;
  let campaign: Campaign;
  const errors: string[] = [];

  beforeAll(async () => {
    fixture = await consoleFixture('sqlite');
    const read = reviewRead();
    const at = new Date().toISOString();
    await saveSyncRun(
      fixture.fresh.store,
      {
        cluster: 'prod',
        server: 'https://prod',
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        counts: countsOf(read),
        resourceVersions: {},
        errors: [],
      },
      read,
    );
    ({ campaign } = await createCampaign(
      fixture.fresh.store,
      {
        name: 'Payments Q4',
        cluster: 'prod',
        scope: {},
        reviewers: { namespaceOwners: true, reviewer: 'user:bob', fallback: 'user:carol' },
        deadlineAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        defaultAction: 'revoke',
      },
      { principal: localPrincipal({ subject: 'root' }) },
    ));
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

  async function open(person: Person, path: string, width = 1280): Promise<Page> {
    const context = await personContext(browser, { baseURL, width, cookies: { 'test-person': person } });
    const page = await context.newPage();
    const logged = pageErrors(page);
    page.on('close', () => errors.push(...logged.map((line) => `${person} ${path}: ${line}`)));
    await page.goto(path);
    return page;
  }

  async function look(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    await expectAccessible(page, name);
  }

  it('lets a reviewer open their queue, filter it, keep in bulk, and see a failed revocation stay open with why', async () => {
    const bob = await open('bob', '/reviews');
    await look(bob, 'reviews');
    await bob.click('a:has-text("Payments Q4")');
    await bob.waitForURL(/\/reviews\/[0-9a-f-]+$/);
    await look(bob, 'review-queue');
    await bob.selectOption('#filter-severity', 'critical');
    await bob.click('button:has-text("Filter")');
    expect(await bob.locator('tbody tr').count()).toBe(3);
    await bob.goto(`/reviews/${campaign.id}?namespace=payments`);
    await bob.check('input[aria-label^="Select User olivia"]');
    await bob.check('input[aria-label^="Select ServiceAccount payments/api"]');
    await bob.fill('#bulk-reason', 'both still work on payments');
    await bob.click('button:has-text("Keep selected")');
    await bob.waitForSelector('.notice[role="status"]');
    expect(await bob.textContent('.notice[role="status"]')).toContain('User olivia: kept');
    await bob.goto(`/reviews/${campaign.id}`);
    await bob.check('input[aria-label^="Select User alice"]');
    await bob.fill('#bulk-reason', 'left the company');
    await bob.click('button:has-text("Revoke selected")');
    await bob.waitForSelector('.notice[role="alert"]');
    expect(await bob.textContent('.notice[role="alert"]')).toContain('User alice: revocation failed');
    await bob.click('tr:has-text("User alice") summary');
    await look(bob, 'review-queue-after-decisions');
    const states = (await listItems(fixture.fresh.store, campaign.id))
      .filter((item) => item.decision)
      .map((item) => `${item.subject.name} ${item.state}`);
    expect(states.sort()).toEqual(['alice revoke-failed', 'api kept', 'olivia kept']);
    await look(await open('dave', `/reviews/${campaign.id}`, 800), 'review-queue-800px');
    for (const context of browser.contexts()) await context.close();
    expect(errors).toEqual([]);
  }, 90_000);

  it('lets an admin open a campaign from the form, after a refusal beside the field, and read its report styled under its policy', async () => {
    const carol = await open('carol', '/reviews');
    await carol.click('a:has-text("New campaign")');
    await carol.waitForURL(/\/reviews\/new$/);
    await look(carol, 'review-new');
    await carol.fill('#field-name', 'Cluster admins Q4');
    await carol.check('input[name="clusterAdmin"]');
    await carol.fill('#field-fallback', 'group:two words');
    await carol.fill('#field-deadline', '10d');
    await carol.check('input[name="defaultAction"][value="escalate"]');
    await carol.click('button:has-text("Preview")');
    await carol.waitForSelector('#fallback-error');
    expect(await carol.textContent('#fallback-error')).toContain('is not a reviewer');
    expect(await carol.inputValue('#field-name')).toBe('Cluster admins Q4');
    await look(carol, 'review-new-errors');
    await carol.fill('#field-fallback', 'group:security');
    await carol.click('button:has-text("Preview")');
    await carol.waitForSelector('.notice[role="status"]');
    expect(await carol.textContent('.notice[role="status"]')).toMatch(
      /This scope gives 3 items for 3 subjects/,
    );
    await look(carol, 'review-new-preview');
    await carol.click('button:has-text("Create campaign")');
    await carol.waitForURL(/\/reviews\/[0-9a-f-]+\?created=1$/);
    expect(await carol.textContent('.notice[role="status"]')).toContain('Campaign created: 3 items');
    const created = (await listCampaigns(fixture.fresh.store)).find(
      (row) => row.name === 'Cluster admins Q4',
    );
    expect(created).toMatchObject({
      scope: { clusterAdminEquivalent: true },
      reviewers: { fallback: 'group:security' },
      defaultAction: 'escalate',
    });
    await carol.click('a:has-text("Printable report")');
    await carol.waitForURL(/\/report$/);
    // The report's own style applied (the policy let its hashed block through): the table has collapsed borders.
    expect(await carol.evaluate('getComputedStyle(document.querySelector("table")).borderCollapse')).toBe(
      'collapse',
    );
    await look(carol, 'review-report');
    const dave = await open('dave', `/reviews/${created!.id}/report`, 800);
    await look(dave, 'review-report-800px');
    for (const context of browser.contexts()) await context.close();
    expect(errors).toEqual([]);
  }, 90_000);
});
