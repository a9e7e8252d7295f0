import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { reviewRead } from '../../test/support/review-read.js';
import { dialects, type FreshStore, freshStore } from '../../test/support/stores.js';
import { unreachableClient } from '../../test/support/unreachable-client.js';
import { listAudit } from '../audit/index.js';
import { localPrincipal } from '../identity/index.js';
import { type ClusterRead, countsOf, saveSyncRun } from '../inventory/index.js';
import type { Store } from '../store/index.js';
import { createCampaign, reviewTarget } from './campaigns.js';
import { runReviewDeadlines } from './deadline.js';
import { getCampaign, recordSkippedRun } from './repository.js';

const start = new Date('2026-09-01T00:00:00Z');
const hours = (count: number) => new Date(start.getTime() + count * 3_600_000);
const quarter = 90 * 24;
const clusters = { clientFor: async () => unreachableClient() };

async function sync(store: Store, read: ClusterRead, at: Date): Promise<void> {
  const iso = at.toISOString();
  await saveSyncRun(
    store,
    {
      cluster: 'prod',
      server: 'https://prod',
      startedAt: iso,
      finishedAt: iso,
      status: 'succeeded',
      counts: countsOf(read),
      resourceVersions: {},
      errors: [],
    },
    read,
  );
}

/** The review cluster after payments lost every binding: a scope of payments selects nothing. */
function withoutPayments(): ClusterRead {
  const read = reviewRead();
  return {
    ...read,
    roleBindings: read.roleBindings.filter((binding) => binding.metadata.namespace !== 'payments'),
  };
}

describe.each(dialects)('recurring campaigns whose scope became empty on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  it('records the due run as skipped (nothing to review in scope), audited and shown, and moves on to the next', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    await sync(store, reviewRead(), start);
    const { campaign } = await createCampaign(
      store,
      {
        name: 'payments quarterly',
        cluster: 'prod',
        scope: { namespaces: ['payments'] },
        reviewers: { fallback: 'user:carol' },
        deadlineAt: hours(72).toISOString(),
        defaultAction: 'leave',
        recurEverySeconds: 90 * 86_400,
      },
      { principal: localPrincipal({ subject: 'root' }), now: start },
    );
    await sync(store, withoutPayments(), hours(quarter - 24));
    const due = await runReviewDeadlines(store, { clusters, now: () => hours(quarter + 1) });
    expect(due).toMatchObject({ opened: [], errors: [] });
    expect(due.skipped).toEqual([{ campaign: campaign.id, dueAt: hours(quarter).toISOString() }]);
    expect(due.nextDueAt).toBe(hours(2 * quarter).toISOString());
    const template = await getCampaign(store, campaign.id);
    expect(template.skippedRuns).toEqual([
      {
        dueAt: hours(quarter).toISOString(),
        at: hours(quarter + 1).toISOString(),
        syncRunId: expect.any(String),
        reason: 'nothing to review in scope',
      },
    ]);
    // Later passes neither retry the skipped run nor record it again.
    const again = await runReviewDeadlines(store, { clusters, now: () => hours(quarter + 2) });
    expect(again).toMatchObject({ opened: [], skipped: [], errors: [] });
    expect((await getCampaign(store, campaign.id)).skippedRuns).toHaveLength(1);
    const trail = await listAudit(store, { targetPrefix: reviewTarget(campaign.id) });
    expect(trail.filter((event) => event.action === 'review.skip')).toEqual([
      expect.objectContaining({
        actor: 'gatehouse',
        outcome: 'succeeded',
        details: expect.objectContaining({
          dueAt: hours(quarter).toISOString(),
          reason: 'nothing to review in scope',
        }),
      }),
    ]);
    await expectShown(fresh, campaign.id);
    // Once the scope selects grants again, the next period's run opens from the same campaign.
    await sync(store, reviewRead(), hours(2 * quarter - 24));
    const next = await runReviewDeadlines(store, { clusters, now: () => hours(2 * quarter + 1) });
    expect(next).toMatchObject({ skipped: [], errors: [] });
    expect(next.opened).toHaveLength(1);
    expect(await getCampaign(store, next.opened[0]!)).toMatchObject({
      previousId: campaign.id,
      state: 'open',
    });
  });

  it('records a skipped run once when two passes found it empty from the same reading of the campaign', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    await sync(store, reviewRead(), start);
    const { campaign } = await createCampaign(
      store,
      {
        name: 'payments monthly',
        cluster: 'prod',
        scope: { namespaces: ['payments'] },
        reviewers: { fallback: 'user:carol' },
        deadlineAt: hours(72).toISOString(),
        defaultAction: 'leave',
        recurEverySeconds: 30 * 86_400,
      },
      { principal: localPrincipal({ subject: 'root' }), now: start },
    );
    const run = {
      dueAt: hours(30 * 24).toISOString(),
      at: hours(30 * 24 + 1).toISOString(),
      syncRunId: campaign.syncRunId,
      reason: 'nothing to review in scope',
    };
    // Both passes read the campaign before either wrote: only the first write lands.
    expect(await recordSkippedRun(store, campaign, run, run.at)).toBe(true);
    expect(
      await recordSkippedRun(store, campaign, { ...run, at: hours(30 * 24 + 2).toISOString() }, run.at),
    ).toBe(false);
    expect((await getCampaign(store, campaign.id)).skippedRuns).toEqual([run]);
  });
});

/** `reviews list` and `reviews show` of the campaign name the skipped run and why. */
async function expectShown(fresh: FreshStore, id: string): Promise<void> {
  const env = {
    GATEHOUSE_HOME: fresh.options.dataDir,
    ...(fresh.options.url ? { GATEHOUSE_DATABASE_URL: fresh.options.url } : {}),
  };
  const list = await cli(['reviews', 'list'], env);
  expect(list.stdout).toMatch(/RECURS/);
  expect(list.stdout).toContain('every 90d, 1 skipped');
  const show = await cli(['reviews', 'show', id.slice(0, 8)], env);
  expect(show.stdout).toContain(
    `skipped the run due ${hours(quarter).toISOString()}: nothing to review in scope`,
  );
  const json = JSON.parse((await cli(['reviews', 'show', id, '-o', 'json'], env)).stdout);
  expect(json.campaign.skippedRuns).toHaveLength(1);
}
