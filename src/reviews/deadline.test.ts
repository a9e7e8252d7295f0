import { afterEach, describe, expect, it } from 'vitest';
import { reviewRead } from '../../test/support/review-read.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { unreachableClient } from '../../test/support/unreachable-client.js';
import { listAudit } from '../audit/index.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import { isNotifiable, slackPayload } from '../notifications/messages.js';
import type { Store } from '../store/index.js';
import { createCampaign } from './campaigns.js';
import { runReviewDeadlines } from './deadline.js';
import { countItems, getCampaign, listItems } from './repository.js';
import type { DefaultAction } from './types.js';

const clusters = { clientFor: async () => unreachableClient(), settleMs: 0 };
const start = new Date('2026-12-01T08:00:00Z');
const at = (hours: number) => new Date(start.getTime() + hours * 3_600_000);

async function campaignWith(store: Store, defaultAction: DefaultAction) {
  const read = reviewRead();
  const iso = start.toISOString();
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
  return await createCampaign(
    store,
    {
      name: 'prod review',
      cluster: 'prod',
      scope: { namespaces: ['payments'] },
      reviewers: { namespaceOwners: true, fallback: 'user:carol' },
      deadlineAt: at(72).toISOString(),
      defaultAction,
      reminderOffsets: [48 * 3600, 24 * 3600],
    },
    { principal: localPrincipal({ subject: 'root' }), now: start },
  );
}

const reminders = async (store: Store) =>
  (await listAudit(store, { afterSeq: 0, limit: 500 })).filter((event) => event.action === 'review.reminder');

describe.each(dialects)('review deadlines on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());
  const open = async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  };

  it('reminds each reviewer with work once per offset, and says when the next one falls', async () => {
    const store = await open();
    await campaignWith(store, 'leave');
    const early = await runReviewDeadlines(store, { clusters, now: () => at(1) });
    expect(early.reminded).toEqual([]);
    expect(early.nextDueAt).toBe(at(24).toISOString());
    const first = await runReviewDeadlines(store, { clusters, now: () => at(25) });
    expect(first.reminded.map((line) => line.split(' ')[1]).sort()).toEqual(['user:bob', 'user:carol']);
    expect((await runReviewDeadlines(store, { clusters, now: () => at(26) })).reminded).toEqual([]);
    await runReviewDeadlines(store, { clusters, now: () => at(49) });
    const sent = await reminders(store);
    expect(sent).toHaveLength(4);
    expect(sent[0]!.details).toMatchObject({ reviewer: 'user:bob', pending: 2 });
    expect(isNotifiable(sent[0]!)).toBe(true);
    expect(slackPayload(sent[0]!, 'https://gatehouse.example').text).toMatch(
      /user:bob has 2 grants to review in "prod review".*\/reviews\//,
    );
  });

  it('at the deadline leaves what nobody decided and closes the campaign', async () => {
    const store = await open();
    const { campaign } = await campaignWith(store, 'leave');
    const report = await runReviewDeadlines(store, { clusters, now: () => at(73) });
    expect(report.acted).toEqual([{ campaign: campaign.id, action: 'leave', items: 3 }]);
    expect((await countItems(store, campaign.id)).left).toBe(3);
    expect((await getCampaign(store, campaign.id)).state).toBe('closed');
  });

  it('escalates what nobody decided to the fallback and then reminds daily', async () => {
    const store = await open();
    const { campaign } = await campaignWith(store, 'escalate');
    await runReviewDeadlines(store, { clusters, now: () => at(73) });
    const items = await listItems(store, campaign.id);
    expect(new Set(items.map((item) => item.reviewer))).toEqual(new Set(['user:carol']));
    expect(items.filter((item) => item.reviewerRule === 'escalated')).toHaveLength(2);
    const overdue = await runReviewDeadlines(store, { clusters, now: () => at(74) });
    expect(overdue.reminded).toEqual([`${campaign.id} user:carol`]);
    expect((await runReviewDeadlines(store, { clusters, now: () => at(80) })).reminded).toEqual([]);
    expect((await runReviewDeadlines(store, { clusters, now: () => at(98) })).reminded).toHaveLength(1);
  });

  it('with default revoke, keeps items whose revocation failed open and the campaign with them', async () => {
    const store = await open();
    const { campaign } = await campaignWith(store, 'revoke');
    const report = await runReviewDeadlines(store, { clusters, now: () => at(73) });
    expect(report.errors).toEqual([]);
    const items = await listItems(store, campaign.id);
    expect(items.map((item) => item.state)).toEqual(['revoke-failed', 'revoke-failed', 'revoke-failed']);
    expect(items[0]!.decision).toMatchObject({ kind: 'revoke', by: 'gatehouse' });
    expect((await getCampaign(store, campaign.id)).state).toBe('open');
  });

  it('opens the next run of a recurring campaign once its period has passed, once, over the latest sync', async () => {
    const store = await open();
    const read = reviewRead();
    const iso = start.toISOString();
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
    const { campaign } = await createCampaign(
      store,
      {
        name: 'quarterly',
        cluster: 'prod',
        scope: { namespaces: ['payments'] },
        reviewers: { fallback: 'user:carol' },
        deadlineAt: at(72).toISOString(),
        defaultAction: 'leave',
        recurEverySeconds: 90 * 86_400,
      },
      { principal: localPrincipal({ subject: 'root' }), now: start },
    );
    const early = await runReviewDeadlines(store, { clusters, now: () => at(100) });
    expect(early.opened).toEqual([]);
    const quarter = at(90 * 24 + 1);
    const due = await runReviewDeadlines(store, { clusters, now: () => quarter });
    expect(due.opened).toHaveLength(1);
    const next = await getCampaign(store, due.opened[0]!);
    expect(next).toMatchObject({
      previousId: campaign.id,
      recurEverySeconds: 90 * 86_400,
      createdBy: 'gatehouse',
      state: 'open',
    });
    expect(Date.parse(next.deadlineAt) - quarter.getTime()).toBe(72 * 3_600_000);
    expect((await runReviewDeadlines(store, { clusters, now: () => quarter })).opened).toEqual([]);
  });
});
