import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createToken, localPrincipal } from '../../src/identity/index.js';
import { syncCluster } from '../../src/inventory/index.js';
import { KubeClient, loadKubeconfig, subjectCan } from '../../src/kube/index.js';
import { createCampaign, getCampaign, listItems } from '../../src/reviews/index.js';
import { openStore } from '../../src/store/index.js';
import { cli } from '../support/cli.js';
import { behindTestSession } from '../support/console-app.js';
import { launchBrowser, personContext, screenshot } from '../support/console-browser.js';
import { serverOver } from '../support/in-process-server.js';
import { kubectl } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const auditLog = inject('auditLog');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const rbacApi = '/apis/rbac.authorization.k8s.io/v1';
const namespace = 'review-e2e';
const home = mkdtempSync(join(tmpdir(), 'gatehouse-reviews-'));
const env = { GATEHOUSE_HOME: home };
const hostileUser = '=HYPERLINK("http://evil.example","click")';
const run = (...args: string[]) => cli(['--kubeconfig', kubeconfig, ...args], env);
const json = async (...args: string[]) => {
  const result = await run(...args, '-o', 'json');
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
};

const user = (name: string) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
const roleBinding = (name: string, role: string, names: readonly string[]) => ({
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: names.map(user),
});

async function create(path: string, body: object): Promise<void> {
  await admin.request({ method: 'POST', path, body });
}

/** Whether the user may create Deployments in the review namespace, asked of the apiserver. */
async function canDeploy(name: string): Promise<boolean> {
  const spec = {
    user: name,
    groups: ['system:authenticated'],
    resourceAttributes: { namespace, verb: 'create', group: 'apps', resource: 'deployments' },
  };
  return (await subjectCan(admin, spec)).allowed;
}

const awsAuthPath = '/api/v1/namespaces/kube-system/configmaps/aws-auth';
const contractorArn = 'arn:aws:iam::111122223333:role/review-e2e-contractor';
const contractorEntry = `- rolearn: ${contractorArn}\n  username: contractor\n  groups:\n    - review-e2e-contractors\n`;

/** Adds (or, with `add` false, takes out) the contractor's mapping in the seeded aws-auth, leaving the rest. */
async function contractorMapping(add: boolean): Promise<void> {
  const configMap = await admin.request<{ data: Record<string, string> }>({ path: awsAuthPath });
  const roles = (configMap.data.mapRoles ?? '').replace(contractorEntry, '');
  const data = { ...configMap.data, mapRoles: add ? `${roles.trimEnd()}\n${contractorEntry}` : roles };
  await admin.request({ method: 'PUT', path: awsAuthPath, body: { ...configMap, data } });
}

const bindingNames = [
  'rev-shared',
  'rev-ivan-a',
  'rev-ivan-b',
  'rev-owner',
  'rev-hostile',
  'rev-judy',
  'rev-jit',
];

/**
 * Removes what the tests made, except the namespace: the test cluster runs no namespace
 * controller, so a deleted namespace would stay Terminating for good. It is left empty instead.
 */
async function cleanUp(): Promise<void> {
  await contractorMapping(false);
  const gone = (error: { code?: string }) => {
    if (error.code !== 'not-found') throw error;
  };
  for (const name of bindingNames)
    await admin
      .request({ method: 'DELETE', path: `${rbacApi}/namespaces/${namespace}/rolebindings/${name}` })
      .catch(gone);
  for (const role of ['review-e2e:deployer', 'review-e2e:judge'])
    await admin.request({ method: 'DELETE', path: `${rbacApi}/clusterroles/${role}` }).catch(gone);
}

beforeAll(async () => {
  await cleanUp();
  await create('/api/v1/namespaces', { metadata: { name: namespace } }).catch((error: { code?: string }) => {
    if (error.code !== 'conflict') throw error;
  });
  await admin.request({
    method: 'PATCH',
    path: `/api/v1/namespaces/${namespace}`,
    patchType: 'merge',
    body: {
      metadata: {
        labels: { 'gatehouse-e2e': 'reviews' },
        annotations: { 'gatehouse.dev/owners': 'user:rev-owner@example.com' },
      },
    },
  });
  const deploy = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'get'] };
  await create(`${rbacApi}/clusterroles`, { metadata: { name: 'review-e2e:deployer' }, rules: [deploy] });
  await create(`${rbacApi}/clusterroles`, { metadata: { name: 'review-e2e:judge' }, rules: [deploy] });
  const bindings = [
    roleBinding('rev-shared', 'review-e2e:deployer', ['grace@example.com', 'heidi@example.com']),
    roleBinding('rev-ivan-a', 'review-e2e:deployer', ['ivan@example.com']),
    roleBinding('rev-ivan-b', 'edit', ['ivan@example.com']),
    roleBinding('rev-owner', 'review-e2e:deployer', ['rev-owner@example.com']),
    roleBinding('rev-hostile', 'view', [hostileUser]),
    roleBinding('rev-judy', 'review-e2e:judge', ['judy@example.com']),
  ];
  // As a just-in-time grant leaves it: owned by Gatehouse and held by an access request.
  const jit = roleBinding('rev-jit', 'view', ['kim@example.com']);
  bindings.push({
    ...jit,
    metadata: {
      ...jit.metadata,
      labels: { 'app.kubernetes.io/managed-by': 'gatehouse' },
      annotations: { 'gatehouse.dev/request-ids': 'req-4711' },
    },
  } as typeof jit);
  for (const binding of bindings) await create(`${rbacApi}/namespaces/${namespace}/rolebindings`, binding);
  await contractorMapping(true);
  expect((await run('rbac', 'sync')).code).toBe(0);
});

afterAll(async () => {
  await cleanUp();
  rmSync(home, { recursive: true, force: true });
});

describe('access reviews against the test cluster', () => {
  let campaign = '';
  const items = new Map<string, { id: string; reviewer: string; reviewerRule: string }>();

  it('opens a campaign over the seeded cluster with risks, other holders and IAM principals', async () => {
    const created = await json(
      'reviews',
      'create',
      '--name',
      'seeded',
      '--fallback',
      'user:security-lead',
      '--deadline',
      '14d',
      '--include-system',
    );
    const shown = await json('reviews', 'show', created.id);
    const line = (item: {
      subject: { kind: string; name: string };
      grant: { bindingName?: string; type: string };
    }) => `${item.subject.kind} ${item.subject.name} ${item.grant.bindingName ?? item.grant.type}`;
    const lines = shown.items.map(line);
    expect(lines).toContain('User bob@example.com bob-edit');
    expect(lines).toContain('IamPrincipal arn:aws:iam::111122223333:role/break-glass aws-auth');
    const carol = shown.items.find(
      (item: { subject: { name: string } }) => item.subject.name === 'carol@example.com',
    );
    expect(carol.severity).toBe('critical');
    const dave = shown.items.find(
      (item: { subject: { name: string } }) => item.subject.name === 'dave@example.com',
    );
    expect(dave.grant.roleMissing).toBe(true);
    expect(shown.campaign.snapshotHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await run('reviews', 'close', created.id)).code).toBe(0);
  });

  it("gives the namespace's items to its owners, and the owner's own access to the fallback", async () => {
    const created = await json(
      'reviews',
      'create',
      '--name',
      'e2e',
      '-l',
      'gatehouse-e2e=reviews',
      '--owners',
      '--fallback',
      'user:security-lead',
      '--deadline',
      '14d',
    );
    campaign = created.id;
    for (const item of (await json('reviews', 'show', campaign)).items) items.set(item.subject.name, item);
    expect(items.get('grace@example.com')).toMatchObject({
      reviewer: 'user:rev-owner@example.com',
      reviewerRule: 'owners',
    });
    expect(items.get('rev-owner@example.com')).toMatchObject({
      reviewer: 'user:security-lead',
      reviewerRule: 'self',
    });
  });

  it('marks a grant unused in the test apiserver’s audit log a revoke candidate, and shows what the used one needs', async () => {
    expect(auditLog, 'the test cluster names its audit log').not.toBe('');
    // Authorized, then not found: the audit log records an allowed get as grace, through rev-shared.
    kubectl(kubeconfig, ['--as', 'grace@example.com', 'get', 'deployment', 'web', '-n', namespace]);
    const cluster = (await json('reviews', 'show', campaign)).campaign.cluster as string;
    type Shown = { subject: { name: string }; usage: Record<string, unknown> };
    let shown: Shown[] = [];
    const usageOf = (name: string) => shown.find((item) => item.subject.name === name)?.usage;
    // The apiserver writes each event once its response is sent: ingest until grace's use is there.
    for (let attempt = 0; attempt < 20 && !usageOf('grace@example.com')?.lastUsedAt; attempt++) {
      if (attempt > 0) await sleep(500);
      expect((await run('usage', 'ingest', auditLog, '--cluster', cluster)).code).toBe(0);
      shown = (await json('reviews', 'show', campaign, '-n', namespace)).items;
    }
    expect(usageOf('grace@example.com')).toMatchObject({
      kind: 'summary',
      revokeCandidate: false,
      unusedRules: [],
      smallerRole: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }],
    });
    expect(usageOf('heidi@example.com')).toMatchObject({
      kind: 'summary',
      revokeCandidate: true,
      requests: 0,
    });
    const table = await run('reviews', 'show', campaign, '-n', namespace, '--candidates');
    expect(table.stdout).toMatch(/heidi@example\.com.*revoke candidate \(unused \d+ (day|hour|minute)s?\)/);
    expect(table.stdout).not.toContain('grace@example.com');
    const one = await run('reviews', 'show', campaign, items.get('grace@example.com')!.id);
    expect(one.stdout).toMatch(/usage {6}\S+ to \S+: last used \S+, \d+ requests\n/);
    expect(one.stdout).toContain('smaller role covering what was used:\n  rules:\n  - apiGroups: ["apps"]');
  });

  it("revokes one user's access, after a dry run that changed nothing, and SubjectAccessReview confirms it gone", async () => {
    const grace = items.get('grace@example.com')!.id;
    const dry = await run(
      'reviews',
      'decide',
      campaign,
      grace,
      '--revoke',
      '--reason',
      'left the team',
      '--dry-run',
    );
    expect(dry.stdout).toContain(
      'would remove User grace@example.com from RoleBinding review-e2e/rev-shared (1 other subject keeps it)',
    );
    expect(await canDeploy('grace@example.com')).toBe(true);
    const decided = await json('reviews', 'decide', campaign, grace, '--revoke', '--reason', 'left the team');
    expect(decided.decided[0]).toMatchObject({
      state: 'revoked',
      revocation: { status: 'done', proof: { kind: 'gone' } },
    });
    expect(await canDeploy('grace@example.com')).toBe(false);
    expect(await canDeploy('heidi@example.com')).toBe(true);
    const exported = await run('audit', 'export');
    const actions = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).action as string);
    expect(actions).toEqual(expect.arrayContaining(['review.create', 'review.decide', 'review.revoke']));
    expect((await run('audit', 'verify')).code).toBe(0);
  });

  it('names the second binding that still grants what was revoked', async () => {
    const shown = await json('reviews', 'show', campaign, '-n', namespace);
    const throughA = shown.items.find(
      (item: { subject: { name: string }; grant: { bindingName: string } }) =>
        item.subject.name === 'ivan@example.com' && item.grant.bindingName === 'rev-ivan-a',
    );
    const decided = await json(
      'reviews',
      'decide',
      campaign,
      throughA.id,
      '--revoke',
      '--reason',
      'duplicate access',
    );
    const revocation = decided.decided[0].revocation;
    expect(revocation.proof.kind).toBe('still-granted');
    expect(revocation.proof.paths.join('\n')).toContain(
      'RoleBinding review-e2e/rev-ivan-b → ClusterRole edit',
    );
    expect(await canDeploy('ivan@example.com')).toBe(true);
  });

  it('exports CSV with formula cells neutralised, and the report as a PDF', async () => {
    const csv = await run('reviews', 'export', campaign, '-o', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csv.stdout).not.toMatch(/(^|,)=HYPERLINK/m);
    const pdf = join(home, 'report.pdf');
    expect((await run('reviews', 'export', campaign, '--pdf', pdf)).code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it("removes an IAM principal's aws-auth mapping and proves it gone from a fresh read, other mappings kept", async () => {
    const created = await json(
      'reviews',
      'create',
      '--name',
      'iam',
      '--subject-kind',
      'IamPrincipal',
      '--fallback',
      'user:security-lead',
      '--deadline',
      '7d',
    );
    const shown = await json('reviews', 'show', created.id);
    const contractor = shown.items.find(
      (item: { subject: { name: string } }) => item.subject.name === contractorArn,
    );
    const decided = await json(
      'reviews',
      'decide',
      created.id,
      contractor.id,
      '--revoke',
      '--reason',
      'contract ended',
    );
    expect(decided.decided[0]).toMatchObject({ state: 'revoked', revocation: { proof: { kind: 'gone' } } });
    const configMap = await admin.request<{ data: Record<string, string> }>({ path: awsAuthPath });
    expect(configMap.data.mapRoles).not.toContain(contractorArn);
    expect(configMap.data.mapRoles).toContain('arn:aws:iam::111122223333:role/break-glass');
    expect(configMap.data.mapUsers).toContain('legacy-ci');
    expect((await run('reviews', 'close', created.id)).code).toBe(0);
  });

  it('refuses to revoke a just-in-time grant behind its request, naming the request to end instead', async () => {
    const kim = items.get('kim@example.com')!.id;
    const result = await run(
      'reviews',
      'decide',
      campaign,
      kim,
      '--revoke',
      '--reason',
      'expired need',
      '-o',
      'json',
    );
    expect(result.code).toBe(1);
    const decided = JSON.parse(result.stdout).decided[0];
    expect(decided.state).toBe('revoke-failed');
    expect(decided.revocation.error).toContain('holds Gatehouse access request(s) req-4711');
    expect(decided.revocation.error).toContain('gatehouse access revoke req-4711');
  });

  it('keeps a revocation open, saying why, when the binding was replaced after the snapshot', async () => {
    const path = `${rbacApi}/namespaces/${namespace}/rolebindings`;
    await admin.request({ method: 'DELETE', path: `${path}/rev-owner` });
    await create(path, roleBinding('rev-owner', 'view', ['rev-owner@example.com']));
    const owner = items.get('rev-owner@example.com')!.id;
    const result = await run(
      'reviews',
      'decide',
      campaign,
      owner,
      '--revoke',
      '--reason',
      'not needed',
      '-o',
      'json',
    );
    expect(result.code).toBe(1);
    const decided = JSON.parse(result.stdout).decided[0];
    expect(decided.state).toBe('revoke-failed');
    expect(decided.revocation.error).toContain(
      'now refers to ClusterRole view, not ClusterRole review-e2e:deployer',
    );
    const shown = await json('reviews', 'show', campaign, owner);
    expect(shown.state).toBe('revoke-failed');
    // The replaced binding is left as it is.
    expect(
      (await admin.request<{ subjects: unknown[] }>({ path: `${path}/rev-owner` })).subjects,
    ).toHaveLength(1);
  });
});

describe('a review deadline on the test cluster', () => {
  it('revokes what was left undecided when a short deadline with default revoke passes, run by the server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-review-deadline-'));
    const store = await openStore({ dataDir });
    try {
      await syncCluster(store, admin);
      expect(await canDeploy('judy@example.com')).toBe(true);
      const { campaign } = await createCampaign(
        store,
        {
          name: 'short',
          cluster: admin.context,
          scope: { roles: ['review-e2e:judge'] },
          reviewers: { fallback: 'user:security-lead' },
          deadlineAt: new Date(Date.now() + 2000).toISOString(),
          defaultAction: 'revoke',
        },
        { principal: localPrincipal({ subject: 'root' }) },
      );
      const server = await serverOver(store, admin, { intervalMs: 500 });
      try {
        for (
          let waited = 0;
          waited < 30_000 && (await getCampaign(store, campaign.id)).state === 'open';
          waited += 250
        )
          await sleep(250);
        // The server wires usage from the audit log: with none ingested here, items say how to get it.
        const { token } = await createToken(store, { user: 'root', admin: true, createdBy: 'test' });
        const response = await fetch(`${server.url}/v1/reviews/${campaign.id}/evidence`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const evidence = (await response.json()) as { items: { usage: { kind: string; why?: string } }[] };
        expect(evidence.items[0]?.usage.kind).toBe('unknown');
        expect(evidence.items[0]?.usage.why).toContain(
          `gatehouse usage ingest PATH --cluster ${admin.context}`,
        );
      } finally {
        await server.close();
      }
      const [item] = await listItems(store, campaign.id);
      expect(item).toMatchObject({
        state: 'revoked',
        decision: { kind: 'revoke', by: 'gatehouse' },
        revocation: { proof: { kind: 'gone' } },
      });
      expect((await getCampaign(store, campaign.id)).closedBy).toBe('gatehouse');
      expect(await canDeploy('judy@example.com')).toBe(false);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('an access review in the browser on the test cluster', () => {
  it('lets a reviewer revoke a user in the browser, and SubjectAccessReview confirms it gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-review-browser-'));
    const store = await openStore({ dataDir });
    const app = behindTestSession({ store, clientFor: async () => admin });
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const browser = await launchBrowser();
    try {
      await syncCluster(store, admin);
      const { campaign } = await createCampaign(
        store,
        {
          name: 'deployers',
          cluster: admin.context,
          scope: { namespaces: [namespace], roles: ['review-e2e:deployer'] },
          reviewers: { reviewer: 'user:bob', fallback: 'user:carol' },
          deadlineAt: new Date(Date.now() + 86_400_000).toISOString(),
          defaultAction: 'leave',
        },
        { principal: localPrincipal({ subject: 'root' }) },
      );
      expect(await canDeploy('heidi@example.com')).toBe(true);
      const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const context = await personContext(browser, { baseURL, cookies: { 'test-person': 'bob' } });
      const bob = await context.newPage();
      await bob.goto('/reviews');
      await bob.click('a:has-text("deployers")');
      await bob.check('input[aria-label^="Select User heidi@example.com"]');
      await bob.fill('#bulk-reason', 'moved to another team');
      await bob.click('button:has-text("Revoke selected")');
      await bob.waitForSelector('.notice[role="status"]');
      expect(await bob.textContent('.notice[role="status"]')).toContain(
        'User heidi@example.com: revoked — SubjectAccessReview confirms the permission is gone',
      );
      await screenshot(bob, 'e2e-review-revoked-in-browser');
      expect(await canDeploy('heidi@example.com')).toBe(false);
      const [item] = await listItems(store, campaign.id, { subject: 'heidi@example.com' });
      expect(item).toMatchObject({ state: 'revoked', decision: { by: 'bob' } });
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
