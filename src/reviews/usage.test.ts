import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewRead } from '../../test/support/review-read.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import type { Store } from '../store/index.js';
import { ingestAuditLog } from '../usage/index.js';
import { auditLine, type EventShape } from '../usage/test-events.js';
import { createCampaign } from './campaigns.js';
import { campaignEvidence, evidenceCsv } from './evidence.js';
import { reportHtml } from './report.js';
import type { ReviewItem, UsageSummary } from './types.js';
import { rulesYaml, unusedText, usageFromAuditLog, usageSpan } from './usage.js';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** reviewRead, with `edit` also granting configmap reads: a rule bob never uses. */
async function campaignOn(store: Store) {
  const base = reviewRead();
  const read = {
    ...base,
    clusterRoles: base.clusterRoles.map((role) =>
      role.metadata.name === 'edit'
        ? {
            ...role,
            rules: [
              ...(role.rules ?? []),
              { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] },
            ],
          }
        : role,
    ),
  };
  const at = new Date().toISOString();
  const run = {
    cluster: 'prod',
    server: 'https://prod',
    startedAt: at,
    finishedAt: at,
    status: 'succeeded' as const,
    counts: countsOf(read),
    resourceVersions: {},
    errors: [],
  };
  await saveSyncRun(store, run, read);
  return await createCampaign(
    store,
    {
      name: 'Payments Q4',
      cluster: 'prod',
      scope: { namespaces: ['payments'] },
      reviewers: { fallback: 'user:carol' },
      deadlineAt: new Date(Date.now() + 86_400_000).toISOString(),
      defaultAction: 'leave',
    },
    { principal: localPrincipal({ subject: 'root' }) },
  );
}

/** Writes the events as an audit log file and ingests it for cluster prod. */
async function ingest(store: Store, events: readonly EventShape[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'review-usage-'));
  try {
    writeFileSync(join(dir, 'audit.log'), `${events.map(auditLine).join('\n')}\n`);
    await ingestAuditLog(store, { cluster: 'prod', path: dir, actor: 'local:test' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bobUpdated = daysAgo(10);
const events: EventShape[] = [
  // Reaches back past the 90-day window, so the evidence covers all of it.
  { user: 'carol', verb: 'list', resource: 'nodes', namespace: '', at: daysAgo(120) },
  {
    user: 'bob',
    verb: 'update',
    apiGroup: 'apps',
    resource: 'deployments',
    namespace: 'payments',
    name: 'web',
    at: bobUpdated,
  },
  {
    user: 'bob',
    verb: 'update',
    apiGroup: 'apps',
    resource: 'deployments',
    namespace: 'payments',
    name: 'web',
    at: daysAgo(20),
  },
  // Outside the RoleBinding's namespace: another grant's use, not this one's.
  {
    user: 'bob',
    verb: 'delete',
    apiGroup: 'apps',
    resource: 'deployments',
    namespace: 'dev',
    name: 'x',
    at: daysAgo(1),
  },
  {
    user: 'system:serviceaccount:payments:api',
    groups: ['system:serviceaccounts'],
    verb: 'get',
    resource: 'secrets',
    namespace: 'payments',
    name: 'db',
    at: daysAgo(2),
  },
];

describe.each(dialects)('usage evidence on review items from an ingested audit log on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());
  const open = async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  };
  const usageBy = async (store: Store, items: readonly ReviewItem[], name: string): Promise<UsageSummary> =>
    await usageFromAuditLog(store)(items.find((item) => item.subject.name === name)!);

  it('shows when a used grant was last used in its namespace, the rules nobody used, and the smaller role', async () => {
    const store = await open();
    const { items } = await campaignOn(store);
    await ingest(store, events);
    const bob = await usageBy(store, items, 'bob');
    expect(bob).toMatchObject({
      kind: 'summary',
      requests: 2,
      revokeCandidate: false,
      unusedRules: ['get,list core/configmaps'],
      smallerRole: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['update'] }],
    });
    expect(bob.kind === 'summary' && Date.parse(bob.lastUsedAt ?? '')).toBe(Date.parse(bobUpdated));
    expect(rulesYaml(bob.kind === 'summary' ? (bob.smallerRole ?? []) : [])).toBe(
      'rules:\n- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["update"]',
    );
    expect(await usageBy(store, items, 'api')).toMatchObject({
      kind: 'summary',
      revokeCandidate: false,
      smallerRole: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
    });
  });

  it('marks a grant nobody used in the window as a revoke candidate, in the CSV and the auditors’ report too', async () => {
    const store = await open();
    const { campaign, items } = await campaignOn(store);
    await ingest(store, events);
    const olivia = await usageBy(store, items, 'olivia');
    expect(olivia).toMatchObject({ kind: 'summary', requests: 0, revokeCandidate: true });
    expect(olivia.kind === 'summary' && 'lastUsedAt' in olivia).toBe(false);
    expect(olivia.kind === 'summary' && olivia.unusedRules).toEqual([
      'create,update,delete apps/deployments',
      'get,list core/configmaps',
    ]);
    expect(olivia.kind === 'summary' && Date.parse(olivia.window.from)).toBeLessThanOrEqual(
      Date.parse(campaign.createdAt) - 90 * 86_400_000,
    );
    const evidence = await campaignEvidence(store, campaign.id, { usageOf: usageFromAuditLog(store) });
    const report = reportHtml(evidence);
    expect(report).toContain('1 unused in the review window (revoke candidates), 0 with usage unknown');
    expect(report).toMatch(/User olivia<\/td>.*: revoke candidate<\/td><\/tr>/);
    const csv = evidenceCsv(evidence);
    const [header, ...rows] = csv.trim().split('\r\n');
    const column = header!.split(',').indexOf('revoke_candidate');
    const oliviaRow = rows.find((row) => row.includes('olivia'))!;
    const bobRow = rows.find((row) => row.includes(',bob,'))!;
    expect(oliviaRow.split(',')[column]).toBe('yes');
    expect(bobRow.split(',')[column]).toBe('no');
    expect(bobRow).toContain('update apps/deployments');
  });

  it('says usage is unknown, and how to fix it, when no audit log of the cluster was ingested', async () => {
    const store = await open();
    const { items } = await campaignOn(store);
    const olivia = await usageBy(store, items, 'olivia');
    expect(olivia.kind).toBe('unknown');
    expect(olivia.kind === 'unknown' && olivia.why).toContain('gatehouse usage ingest');
  });

  it('counts only uses after the window starts: a grant last used before it is a revoke candidate', async () => {
    const store = await open();
    const lastEvent = daysAgo(1);
    const { items } = await campaignOn(store);
    await ingest(store, [
      {
        user: 'olivia',
        verb: 'create',
        apiGroup: 'apps',
        resource: 'deployments',
        namespace: 'payments',
        at: daysAgo(100),
      },
      { user: 'carol', verb: 'list', resource: 'nodes', namespace: '', at: lastEvent },
    ]);
    const before = await usageBy(store, items, 'olivia');
    expect(before).toMatchObject({ kind: 'summary', revokeCandidate: true });
    // The logs end a day ago: the window claims no more than they cover.
    expect(before.kind === 'summary' && Date.parse(before.window.to)).toBe(Date.parse(lastEvent));
    const wide = await usageFromAuditLog(store, { windowDays: 120 })(
      items.find((item) => item.subject.name === 'olivia')!,
    );
    expect(wide).toMatchObject({ kind: 'summary', revokeCandidate: false, requests: 1 });
  });
});

describe('the span a usage window claims', () => {
  it('says days for a full window, hours when the logs cover part of a day, and where it ends when the logs stop early', () => {
    expect(usageSpan({ from: '2026-09-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toBe('90 days');
    expect(usageSpan({ from: '2026-12-01T08:05:00Z', to: '2026-12-01T09:20:00Z' })).toBe('1 hour');
    expect(usageSpan({ from: '2026-12-01T09:19:00Z', to: '2026-12-01T09:20:00Z' })).toBe('1 minute');
    const window = { from: '2026-09-02T00:00:00Z', to: '2026-11-28T00:00:00Z' };
    expect(unusedText(window, new Date('2026-11-28T00:10:00Z'))).toBe('unused in the last 87 days');
    expect(unusedText(window, new Date('2026-12-01T00:00:00Z'))).toBe('unused in the 87 days to 2026-11-28');
  });
});
