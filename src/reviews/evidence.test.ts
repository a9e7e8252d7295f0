import { afterEach, describe, expect, it } from 'vitest';
import { reviewRead } from '../../test/support/review-read.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { unreachableClient } from '../../test/support/unreachable-client.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import { createCampaign } from './campaigns.js';
import { decide } from './decisions.js';
import { campaignEvidence, evidenceCsv, neutralizeCell } from './evidence.js';

const admin = localPrincipal({ subject: 'root' });
const formula = '=HYPERLINK("http://evil.example","x")';

describe('CSV cells', () => {
  it('neutralises cells a spreadsheet would run as formulas, tab and carriage return included', () => {
    expect(neutralizeCell('=1+1')).toBe("'=1+1");
    expect(neutralizeCell('+cmd')).toBe("'+cmd");
    expect(neutralizeCell('-2')).toBe("'-2");
    expect(neutralizeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralizeCell('\tx')).toBe("'\tx");
    expect(neutralizeCell('\rx')).toBe('"\'\rx"');
    expect(neutralizeCell('a,"b"')).toBe('"a,""b"""');
    expect(neutralizeCell('plain')).toBe('plain');
  });
});

describe.each(dialects)('campaign evidence on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('exports every item with its decision, usage through the port, orphans and the signed trail', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const read = reviewRead();
    const hostile = {
      ...read.roleBindings[0]!,
      metadata: { name: 'hostile', namespace: 'dev' },
      subjects: [{ kind: 'User' as const, name: formula }],
    };
    const withHostile = { ...read, roleBindings: [...read.roleBindings, hostile] };
    const at = new Date().toISOString();
    await saveSyncRun(
      store,
      {
        cluster: 'prod',
        server: 'https://prod',
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        counts: countsOf(withHostile),
        resourceVersions: {},
        errors: [],
      },
      withHostile,
    );
    const { campaign, items } = await createCampaign(
      store,
      {
        name: 'csv',
        cluster: 'prod',
        scope: { namespaces: ['dev'] },
        reviewers: { fallback: 'user:carol' },
        deadlineAt: new Date(Date.now() + 86_400_000).toISOString(),
        defaultAction: 'leave',
      },
      { principal: admin },
    );
    const target = items.find((item) => item.subject.name === formula)!;
    await decide(
      store,
      { campaignId: campaign.id, itemIds: [target.id], decision: 'keep', reason: '@SUM(1) -- fine' },
      { principal: admin, clusters: { clientFor: async () => unreachableClient() } },
    );
    const evidence = await campaignEvidence(store, campaign.id, {
      usageOf: async (item) =>
        item.id === target.id
          ? {
              kind: 'summary',
              lastUsedAt: '2026-11-30T10:00:00Z',
              requests: 3,
              window: { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' },
              revokeCandidate: false,
            }
          : { kind: 'unknown' },
    });
    expect(evidence.counts).toMatchObject({ total: 2, kept: 1, pending: 1 });
    expect(evidence.orphans).toEqual(['User dave: RoleBinding dev/legacy → Role gone']);
    expect(evidence.trail.map((event) => event.action)).toEqual(['review.create', 'review.decide']);
    const csv = evidenceCsv(evidence);
    const row = csv.split('\r\n').find((line) => line.includes('HYPERLINK'))!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(row).toContain("'@SUM(1) -- fine");
    expect(row).toContain('2026-11-30T10:00:00Z');
    expect(csv.split('\r\n')[0]).toMatch(/^item,subject_kind,subject,/);
  });
});
