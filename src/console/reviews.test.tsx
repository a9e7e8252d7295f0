import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { reviewRead } from '../../test/support/review-read.js';
import { dialects } from '../../test/support/stores.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import { createCampaign, listItems, usageFromAuditLog } from '../reviews/index.js';
import { ingestAuditLog } from '../usage/index.js';
import { auditLine } from '../usage/test-events.js';

async function campaignIn(fixture: ConsoleFixture) {
  const { store } = fixture.fresh;
  const read = reviewRead();
  const at = new Date().toISOString();
  await saveSyncRun(
    store,
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
  const { campaign } = await createCampaign(
    store,
    {
      name: 'Payments Q4',
      cluster: 'prod',
      scope: { namespaces: ['payments'] },
      reviewers: { namespaceOwners: true, fallback: 'user:carol' },
      deadlineAt: new Date(Date.now() + 86_400_000).toISOString(),
      defaultAction: 'leave',
    },
    { principal: localPrincipal({ subject: 'root' }) },
  );
  return campaign;
}

describe.each(dialects)('the review pages on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it("list a reviewer's campaigns with progress and show their queue, and nothing to others", async () => {
    fixture = await consoleFixture(dialect);
    const campaign = await campaignIn(fixture);
    const list = await (await fixture.visit('bob', '/reviews')).text();
    expect(list).toContain(`<a href="/reviews/${campaign.id}">Payments Q4</a>`);
    expect(list).toContain('0 of 3 decided');
    const queue = await (await fixture.visit('bob', `/reviews/${campaign.id}`)).text();
    expect(queue).toContain('User olivia');
    expect(queue).toContain('ServiceAccount payments/api');
    expect(queue).not.toContain('User bob');
    expect(queue).toContain('Evidence of the items you review: <a href=');
    expect(await (await fixture.visit('alice', '/reviews')).text()).toContain(
      'No access review includes you yet',
    );
    expect((await fixture.visit('alice', `/reviews/${campaign.id}`)).status).toBe(404);
    const everything = await (await fixture.visit('dave', `/reviews/${campaign.id}?severity=`)).text();
    expect(everything).toContain('User bob');
  });

  it('decides selected items in bulk from the form, and says what it refused and why', async () => {
    fixture = await consoleFixture(dialect);
    const campaign = await campaignIn(fixture);
    const items = await listItems(fixture.fresh.store, campaign.id);
    const bobs = items.filter((item) => item.reviewer === 'user:bob');
    const carols = items.find((item) => item.reviewer === 'user:carol')!;
    const body = new URLSearchParams({
      _csrf: 'csrf-token-of-bob',
      decision: 'keep',
      reason: 'still on the team',
    });
    for (const item of [...bobs, carols]) body.append('item', item.id);
    const response = await fixture.app.request(`/reviews/${campaign.id}/decide`, {
      method: 'POST',
      headers: { cookie: 'test-person=bob', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('User olivia: kept');
    expect(text).toContain(`${carols.id.slice(0, 8)}: nobody reviews their own access`);
    expect(
      (await listItems(fixture.fresh.store, campaign.id, { state: 'kept' })).map((item) => item.id).sort(),
    ).toEqual(bobs.map((item) => item.id).sort());
  });

  it('gives auditors the evidence as CSV with formula cells neutralised, and reviewers only their own items', async () => {
    fixture = await consoleFixture(dialect);
    const campaign = await campaignIn(fixture);
    const olivia = (await listItems(fixture.fresh.store, campaign.id)).find(
      (item) => item.subject.name === 'olivia',
    )!;
    await fixture.post('bob', `/reviews/${campaign.id}/decide`, {
      item: olivia.id,
      decision: 'keep',
      reason: '=cmd|"/c calc"!A1',
    });
    const csv = await fixture.visit('dave', `/reviews/${campaign.id}/evidence.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain(`"'=cmd|""/c calc""!A1"`);
    const bobs = await (await fixture.visit('bob', `/reviews/${campaign.id}/evidence.csv`)).text();
    expect(bobs).toContain('olivia');
    expect(bobs).not.toContain('user:carol');
  });

  it('shows usage from the usage port on each item, and says so when it is unknown', async () => {
    fixture = await consoleFixture(dialect, {
      usageOf: async (item) =>
        item.subject.name === 'olivia'
          ? {
              kind: 'summary',
              requests: 0,
              window: { from: '2026-09-01T00:00:00Z', to: '2026-12-01T00:00:00Z' },
              revokeCandidate: true,
              unusedRules: ['create,update,delete apps/deployments'],
            }
          : { kind: 'unknown', why: 'no audit log for prod' },
    });
    const campaign = await campaignIn(fixture);
    const text = await (await fixture.visit('bob', `/reviews/${campaign.id}`)).text();
    expect(text).toContain('Usage 2026-09-01 to 2026-12-01: never used.');
    expect(text).toContain('unused in the 91 days to 2026-12-01 — revoke candidate');
    expect(text).toContain('<code>create,update,delete apps/deployments</code>');
    expect(text).toContain('Usage: unknown (no audit log for prod).');
  });

  it('marks an unused grant a revoke candidate from an ingested audit log, shows the smaller role, and filters to candidates', async () => {
    fixture = await consoleFixture(dialect, {
      usageOf: (item) => usageFromAuditLog(fixture!.fresh.store)(item),
    });
    const campaign = await campaignIn(fixture);
    const dir = mkdtempSync(join(tmpdir(), 'console-usage-'));
    const at = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const lines = [
      auditLine({ user: 'carol', verb: 'list', resource: 'nodes', namespace: '', at: at(100) }),
      auditLine({
        user: 'system:serviceaccount:payments:api',
        verb: 'get',
        resource: 'secrets',
        namespace: 'payments',
        name: 'db',
        at: at(3),
      }),
    ];
    writeFileSync(join(dir, 'audit.log'), `${lines.join('\n')}\n`);
    await ingestAuditLog(fixture.fresh.store, { cluster: 'prod', path: dir, actor: 'local:test' });
    rmSync(dir, { recursive: true, force: true });
    const queue = await (await fixture.visit('bob', `/reviews/${campaign.id}`)).text();
    const oliviaRow = queue.slice(
      queue.indexOf('User olivia'),
      queue.indexOf('</tr>', queue.indexOf('User olivia')),
    );
    expect(oliviaRow).toMatch(/unused in the 87 days to \d{4}-\d\d-\d\d — revoke candidate/);
    expect(queue).toContain('A smaller role covers what was used:');
    expect(queue).toContain('resources: [&quot;secrets&quot;]');
    const candidates = await (await fixture.visit('bob', `/reviews/${campaign.id}?candidates=yes`)).text();
    expect(candidates).toContain('User olivia');
    expect(candidates).not.toContain('ServiceAccount payments/api');
  });
});
