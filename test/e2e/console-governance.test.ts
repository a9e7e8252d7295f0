import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listAudit } from '../../src/audit/index.js';
import { AppError } from '../../src/errors.js';
import { listSyncRuns } from '../../src/inventory/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type OidcProvider, startOidcProvider } from '../../testcluster/oidc/index.js';
import { demoUsers } from '../../testcluster/oidc/users.js';
import { pinnedCertificateFlag } from '../support/certificate-pin.js';
import { cli } from '../support/cli.js';
import { expectAccessible, launchBrowser, pageErrors, screenshot } from '../support/console-browser.js';
import { signInSettings } from '../support/web-sign-in.js';

// The governance pages as admins and auditors use them: chromium signs each person in through the
// real OpenID Provider; carol syncs the real test cluster from the page, and the who-can answers
// are compared with `gatehouse rbac who-can` run on the same stored sync. Screenshots go to
// test-results/screenshots/e2e-governance-*.png; every page is checked with axe-core.

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const namespace = 'governance-e2e';
const rbacApi = '/apis/rbac.authorization.k8s.io/v1';
const newcomer = 'gov-e2e-newcomer';

/** Questions on the seeded cluster: [verb, resource, namespace (undefined: all), subresource]. */
const questions: readonly (readonly [string, string, string | undefined, string?])[] = [
  ['create', 'pods', 'payments', 'exec'],
  ['get', 'secrets/db-password', 'payments'],
  ['get', 'pods', 'storefront'],
  ['get', '/metrics', undefined],
  ['impersonate', 'serviceaccounts', undefined],
  ['list', 'pods', undefined],
  ['create', 'pods', 'dev', 'exec'],
  ['delete', 'deployments.apps', 'payments'],
];

let op: OidcProvider;
let store: Store;
let home: string;
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
const runs: string[] = [];

async function signIn(username: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  const logged = pageErrors(page);
  page.on('close', () => errors.push(...logged.map((line) => `${username}: ${line}`)));
  await page.goto('/governance');
  await page.click('text=Sign in with your identity provider');
  await page.waitForURL((url) => url.origin === op.issuer);
  await page.fill('input[name=username]', username);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL((url) => url.origin === server.url && url.pathname === '/governance');
  return page;
}

async function look(page: Page, name: string): Promise<void> {
  await screenshot(page, `e2e-governance-${name}`);
  await expectAccessible(page, name);
}

/** Carol presses Sync now on the cluster's card and lands on the run it stored. */
async function syncNow(carol: Page): Promise<string> {
  await carol.goto('/governance');
  await carol.locator(`section[aria-label="Syncs of ${cluster}"] button:has-text("Sync now")`).click();
  await carol.waitForURL(/synced=/);
  const id = new URL(carol.url()).searchParams.get('synced')!;
  expect(await carol.textContent('[role=status]')).toContain(
    `Synced ${cluster}: run ${id.slice(0, 8)}, succeeded.`,
  );
  return id;
}

/** One answer as text people read: subject, where, binding → role, IAM principals. */
const line = (parts: { subject: string; where: string; path: string; arns: readonly string[] }) =>
  `${parts.subject} | ${parts.where} | ${parts.path} | ${[...parts.arns].sort().join(' ')}`;

interface CliGrant {
  readonly subject: { kind: string; name: string; namespace?: string };
  readonly namespace?: string;
  readonly via: string;
  readonly binding?: { kind: string; name: string; namespace?: string };
  readonly role?: { kind: string; name: string; namespace?: string };
  readonly iamPrincipals: readonly string[];
}

function cliLines(grants: readonly CliGrant[]): string[] {
  const named = (thing: { kind: string; name: string; namespace?: string }) =>
    `${thing.kind} ${thing.namespace ? `${thing.namespace}/` : ''}${thing.name}`;
  return grants
    .map((grant) =>
      line({
        subject: `${grant.subject.kind} ${grant.subject.namespace ? `${grant.subject.namespace}/` : ''}${grant.subject.name}`,
        where: grant.namespace ?? 'cluster-wide',
        path: grant.via === 'superuser' ? 'superuser' : `${named(grant.binding!)} → ${named(grant.role!)}`,
        arns: grant.iamPrincipals,
      }),
    )
    .sort();
}

async function pageLines(page: Page): Promise<string[]> {
  // A string, evaluated in the page: this project's types have no DOM.
  const rows = (await page.evaluate(
    `Array.from(document.querySelectorAll('main table tbody tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''))`,
  )) as string[][];
  return rows
    .map(([subject = '', where = '', grantedBy = '', principals = '']) =>
      line({
        subject: subject.trim(),
        where: where.trim(),
        path: grantedBy.startsWith('member of system:masters')
          ? 'superuser'
          : grantedBy.split(' → ').slice(0, 2).join(' → ').trim(),
        arns: principals.match(/arn:[^\s(]+/g) ?? [],
      }),
    )
    .sort();
}

describe('the governance pages signed in through the OpenID Provider, on the real apiserver', () => {
  beforeAll(async () => {
    await admin
      .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: namespace } } })
      .catch(() => undefined);
    // The namespace is this file's own: a binding left by an interrupted run must not be "unchanged".
    await admin.request({ method: 'DELETE', path: `${rbacApi}/namespaces/${namespace}/rolebindings` });
    op = await startOidcProvider({ users: demoUsers });
    home = mkdtempSync(join(tmpdir(), 'gatehouse-governance-e2e-'));
    store = await openStore({ dataDir: home });
    server = await startServer({
      gatehouse: {
        store: async () => store,
        clusters: {
          client: async (name) => {
            if (name === cluster) return admin;
            throw new AppError('context.unknown', `no context ${name} in this test`);
          },
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
    await admin
      .request({ method: 'DELETE', path: `${rbacApi}/namespaces/${namespace}/rolebindings/newcomer-view` })
      .catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  it('lets carol sync the cluster from the page, and each who-can answer equals gatehouse rbac who-can on that sync', async () => {
    const carol = await signIn('carol');
    await look(carol, 'overview-before-sync');
    const run = await syncNow(carol);
    runs.push(run);
    await look(carol, 'overview-admin');
    for (const [verb, resource, ns, subresource] of questions) {
      const asked = `${verb} ${resource}${subresource ? `/${subresource}` : ''} ${ns ? `-n ${ns}` : '-A'}`;
      const args = ['rbac', 'who-can', verb, resource, ...(ns ? ['-n', ns] : ['-A'])];
      if (subresource) args.push('--subresource', subresource);
      const answer = await cli(['--kubeconfig', kubeconfig, ...args, '--run', run, '-o', 'json'], {
        GATEHOUSE_HOME: home,
      });
      expect(answer.code, `${asked}: ${answer.stderr}`).toBe(0);
      const expected = cliLines((JSON.parse(answer.stdout) as { grants: CliGrant[] }).grants);

      await carol.goto('/governance/who-can');
      await carol.fill('#who-verb', verb);
      await carol.fill('#who-resource', resource);
      await carol.fill('#who-subresource', subresource ?? '');
      await carol.fill('#who-namespace', ns ?? '');
      await carol.fill('#who-run', run);
      await carol.click('button:has-text("Ask")');
      await carol.waitForURL(/\/governance\/who-can\?/);
      expect(await pageLines(carol), asked).toEqual(expected);
      expect(expected.length, asked).toBeGreaterThan(1);
    }
    await carol.goto(
      `/governance/who-can?verb=create&resource=pods&subresource=exec&namespace=payments&cluster=${cluster}`,
    );
    // aws-auth maps the payments-oncall IAM role onto the group that may exec in payments.
    expect(await carol.textContent('main')).toContain(
      'arn:aws:iam::111122223333:role/payments-oncall (aws-auth mapRoles[2])',
    );
    await look(carol, 'who-can');
  }, 240_000);

  it('shows a subject with the path of each grant, its pods or its IAM mapping, and a picture of its access', async () => {
    const dave = await signIn('dave');
    await dave.goto(`/governance/subjects/sa/payments/payments-api?cluster=${cluster}`);
    const account = (await dave.textContent('main')) ?? '';
    expect(account).toContain('RoleBinding/payments/api-secrets → Role/secret-reader → get core/secrets');
    expect(await dave.locator('section[aria-labelledby=pods-heading] li').count()).toBe(2);
    expect(await dave.locator('figure.access-picture svg rect').count()).toBeGreaterThanOrEqual(4);
    await look(dave, 'subject-service-account');
    await dave.goto(`/governance/subjects/group/payments-oncall?cluster=${cluster}`);
    expect(await dave.textContent('main')).toContain('arn:aws:iam::111122223333:role/payments-oncall');
    await look(dave, 'subject-group');
    await dave.click('text=arn:aws:iam::111122223333:role/payments-oncall');
    const iam = (await dave.textContent('main')) ?? '';
    expect(iam).toContain('aws-auth mapRoles in kube-system/aws-auth');
    expect(iam).toContain('RoleBinding/payments/oncall-exec → ClusterRole/seed:pod-exec');
    await look(dave, 'subject-iam');
  }, 120_000);

  it('lists risks with filters and the path of each, and shows what changed between two syncs', async () => {
    const dave = await signIn('dave');
    await dave.goto(`/governance/risks?cluster=${cluster}`);
    expect(await dave.locator('main table tbody tr').count()).toBeGreaterThan(3);
    await look(dave, 'risks');
    await dave.selectOption('#risk-severity', 'critical');
    await dave.fill('#risk-namespace', 'cluster');
    await dave.click('button:has-text("Filter")');
    await dave.waitForURL(/severity=critical/);
    const critical = await dave.locator('main table tbody tr td:first-child').allTextContents();
    expect(critical.length).toBeGreaterThan(0);
    expect(new Set(critical)).toEqual(new Set(['critical']));
    expect(await dave.textContent('main table')).toContain('ClusterRoleBinding seed:platform-admins');
    await look(dave, 'risks-critical');

    await admin.request({
      method: 'POST',
      path: `${rbacApi}/namespaces/${namespace}/rolebindings`,
      body: {
        metadata: { name: 'newcomer-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: newcomer, apiGroup: 'rbac.authorization.k8s.io' }],
      },
    });
    const carol = await signIn('carol');
    runs.push(await syncNow(carol));
    await dave.goto(`/governance/diff?cluster=${cluster}`);
    const added = (await dave.textContent('section[aria-label=Added]')) ?? '';
    expect(added).toContain(`User ${newcomer}`);
    expect(added).toContain(`RoleBinding "${namespace}/newcomer-view" → ClusterRole "view"`);
    // The cluster is shared: other tests' bindings may come and go between the two syncs, never this one.
    expect(await dave.textContent('section[aria-label=Removed]')).not.toContain(newcomer);
    await look(dave, 'diff');
  }, 180_000);

  it('gives dave the auditor no sync button, and refuses and audits a sync he posts anyway', async () => {
    const dave = await signIn('dave');
    expect(await dave.locator('button:has-text("Sync now")').count()).toBe(0);
    expect(await dave.textContent('main')).toContain('Only administrators can sync');
    await look(dave, 'overview-auditor');
    const csrf = await dave.locator('input[name=_csrf]').first().inputValue();
    const forged = await dave
      .context()
      .request.post('/governance/sync', { form: { _csrf: csrf, cluster }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('dave may not sync a cluster');
    const denied = (await listAudit(store, { action: 'rbac.sync' })).filter(
      (entry) => entry.outcome === 'denied',
    );
    expect(denied.map((entry) => entry.actor)).toEqual(['oidc:dave']);
    // Only carol's two syncs were stored.
    expect((await listSyncRuns(store, cluster)).map((run) => run.id)).toEqual([...runs].reverse());
    for (const context of contexts) await context.close();
    contexts.length = 0;
    expect(errors).toEqual([]);
  }, 120_000);
});
