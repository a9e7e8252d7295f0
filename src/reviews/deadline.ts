import { auditedTransaction } from '../audit/index.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/index.js';
import { reviewTarget } from './campaigns.js';
import { openRecurring } from './recurrence.js';
import { listCampaigns, listItems, saveCampaign, saveItem } from './repository.js';
import { isOwnAccess } from './reviewers.js';
import { type ClusterAccess, carryOutRevocation, revokeContext } from './revocations.js';
import type { Campaign, ReviewItem } from './types.js';

export interface DeadlineReport {
  /** `campaign reviewer` per reminder sent. */
  readonly reminded: readonly string[];
  /** Campaigns whose deadline passed in this pass, with what was done. */
  readonly acted: readonly { readonly campaign: string; readonly action: string; readonly items: number }[];
  readonly errors: readonly { readonly campaign: string; readonly message: string }[];
  /** Next runs of recurring campaigns opened in this pass. */
  readonly opened: readonly string[];
  /** Runs of recurring campaigns that fell due with nothing in scope: recorded as skipped. */
  readonly skipped: readonly { readonly campaign: string; readonly dueAt: string }[];
  /** When the next reminder or deadline falls, for the loop to wake then. */
  readonly nextDueAt?: string;
}

const dayMs = 86_400_000;

/** Which reminder is due now (the latest one passed that was not sent), and when the next one falls. */
export function reminderDue(
  campaign: Campaign,
  now: Date,
): { due: string | undefined; next: number | undefined } {
  const deadline = Date.parse(campaign.deadlineAt);
  const sent = new Set(campaign.remindersSent);
  if (now.getTime() >= deadline) {
    // Only a campaign still open after its deadline (escalated) is reminded daily.
    const days = Math.floor((now.getTime() - deadline) / dayMs) + 1;
    const key = `overdue:${days}`;
    return { due: sent.has(key) ? undefined : key, next: deadline + days * dayMs };
  }
  const passed = campaign.reminderOffsets.filter((offset) => now.getTime() >= deadline - offset * 1000);
  const latest = passed.length > 0 ? Math.min(...passed) : undefined;
  const upcoming = campaign.reminderOffsets
    .map((offset) => deadline - offset * 1000)
    .filter((at) => at > now.getTime());
  return {
    due: latest !== undefined && !sent.has(`offset:${latest}`) ? `offset:${latest}` : undefined,
    next: Math.min(deadline, ...upcoming),
  };
}

/** One `review.reminder` entry per reviewer with pending items; webhooks turn them into messages. */
async function remind(store: Store, campaign: Campaign, key: string, now: Date): Promise<string[]> {
  const pending = (await listItems(store, campaign.id)).filter(
    (item) => item.state === 'pending' || item.state === 'revoke-failed',
  );
  const byReviewer = new Map<string, number>();
  for (const item of pending) byReviewer.set(item.reviewer, (byReviewer.get(item.reviewer) ?? 0) + 1);
  // Offsets passed together (a campaign created late) are all marked: one reminder, not a burst.
  const deadline = Date.parse(campaign.deadlineAt);
  const covered = campaign.reminderOffsets
    .filter((offset) => now.getTime() >= deadline - offset * 1000)
    .map((offset) => `offset:${offset}`);
  const sent = [...new Set([...campaign.remindersSent, ...covered, key])];
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    await saveCampaign(scoped, { ...campaign, remindersSent: sent }, now.toISOString());
    for (const [reviewer, count] of byReviewer)
      await audit(
        {
          actor: 'gatehouse',
          action: 'review.reminder',
          target: reviewTarget(campaign.id),
          outcome: 'succeeded',
          details: {
            id: campaign.id,
            name: campaign.name,
            reviewer,
            pending: count,
            deadlineAt: campaign.deadlineAt,
            overdue: key.startsWith('overdue'),
          },
        },
        () => now,
      );
  });
  return [...byReviewer.keys()].map((reviewer) => `${campaign.id} ${reviewer}`);
}

async function escalate(
  store: Store,
  campaign: Campaign,
  items: readonly ReviewItem[],
  now: Date,
): Promise<void> {
  const to = campaign.reviewers.fallback;
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    for (const item of items) {
      if (item.reviewer === to || isOwnAccess(item.subject, to)) continue;
      const note = {
        at: now.toISOString(),
        by: 'gatehouse',
        kind: 'escalate' as const,
        from: item.reviewer,
        to,
        comment: 'deadline passed undecided',
      };
      await saveItem(
        scoped,
        { ...item, reviewer: to, reviewerRule: 'escalated', notes: [...item.notes, note] },
        ['pending'],
        now.toISOString(),
      );
    }
    await audit(deadlineEntry(campaign, 'escalate', items.length), () => now);
  });
}

function deadlineEntry(campaign: Campaign, action: string, items: number) {
  return {
    actor: 'gatehouse',
    action: 'review.deadline',
    target: reviewTarget(campaign.id),
    outcome: 'succeeded' as const,
    details: { id: campaign.id, name: campaign.name, defaultAction: action, items },
  };
}

/** Applies the campaign's default action to what nobody decided by the deadline. */
async function actOnDeadline(
  store: Store,
  campaign: Campaign,
  clusters: ClusterAccess,
  now: Date,
): Promise<number> {
  const pending = await listItems(store, campaign.id, { state: 'pending' });
  const marked: Campaign = { ...campaign, remindersSent: [...campaign.remindersSent, 'deadline'] };
  switch (campaign.defaultAction) {
    case 'leave':
      await auditedTransaction(store, async ({ store: scoped, audit }) => {
        for (const item of pending)
          await saveItem(scoped, { ...item, state: 'left' }, ['pending'], now.toISOString());
        await saveCampaign(
          scoped,
          { ...marked, state: 'closed', closedAt: now.toISOString(), closedBy: 'gatehouse' },
          now.toISOString(),
        );
        await audit(deadlineEntry(campaign, 'leave', pending.length), () => now);
      });
      return pending.length;
    case 'revoke':
      return await revokeLeft(store, marked, pending, clusters, now);
    case 'escalate':
      await escalate(store, campaign, pending, now);
      await saveCampaign(store, marked, now.toISOString());
      return pending.length;
    default: {
      const unknown: never = campaign.defaultAction;
      return unknown;
    }
  }
}

/** Default revoke: each undecided item is revoked as decided by `gatehouse`; the campaign closes once none failed. */
async function revokeLeft(
  store: Store,
  campaign: Campaign,
  pending: readonly ReviewItem[],
  clusters: ClusterAccess,
  now: Date,
): Promise<number> {
  // Before anything is marked: a campaign whose snapshot or cluster cannot be had is retried next pass.
  const context = await revokeContext(store, campaign, clusters);
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    const reason = 'deadline passed undecided: default action revoke';
    for (const item of pending)
      await saveItem(
        scoped,
        { ...item, decision: { kind: 'revoke', reason, by: 'gatehouse', at: now.toISOString() } },
        ['pending'],
        now.toISOString(),
      );
    await saveCampaign(scoped, campaign, now.toISOString());
    await audit(deadlineEntry(campaign, 'revoke', pending.length), () => now);
  });
  let failed = 0;
  for (const item of await listItems(store, campaign.id, { ids: pending.map((entry) => entry.id) })) {
    const done = await carryOutRevocation(store, item, context, 'gatehouse');
    if (done.state === 'revoke-failed') failed++;
  }
  if (failed === 0)
    await auditedTransaction(store, async ({ store: scoped, audit }) => {
      await saveCampaign(
        scoped,
        { ...campaign, state: 'closed', closedAt: now.toISOString(), closedBy: 'gatehouse' },
        now.toISOString(),
      );
      await audit(
        { ...deadlineEntry(campaign, 'revoke', pending.length), action: 'review.close' },
        () => now,
      );
    });
  return pending.length;
}

/**
 * One pass over open campaigns: reminders due at their offsets (daily once overdue), and the
 * default action at the deadline. Each campaign is handled on its own: one failing (its cluster
 * unreachable) is reported and retried next pass, the others go on.
 */
export async function runReviewDeadlines(
  store: Store,
  options: { readonly clusters: ClusterAccess; readonly now?: () => Date },
): Promise<DeadlineReport> {
  const now = options.now ?? (() => new Date());
  const reminded: string[] = [];
  const acted: { campaign: string; action: string; items: number }[] = [];
  const errors: { campaign: string; message: string }[] = [];
  const recurring = await openRecurring(store, now());
  errors.push(...recurring.errors);
  let nextDue = recurring.nextAt ?? Number.POSITIVE_INFINITY;
  for (const campaign of await listCampaigns(store, { state: 'open' })) {
    try {
      const at = now();
      const deadlinePassed = at.getTime() >= Date.parse(campaign.deadlineAt);
      if (deadlinePassed && !campaign.remindersSent.includes('deadline')) {
        const items = await actOnDeadline(store, campaign, options.clusters, at);
        acted.push({ campaign: campaign.id, action: campaign.defaultAction, items });
        continue;
      }
      const { due, next } = reminderDue(campaign, at);
      if (due) reminded.push(...(await remind(store, campaign, due, at)));
      if (next !== undefined) nextDue = Math.min(nextDue, next);
    } catch (error) {
      errors.push({ campaign: campaign.id, message: describeError(error) });
    }
  }
  return {
    reminded,
    acted,
    errors,
    opened: recurring.opened.map((campaign) => campaign.id),
    skipped: recurring.skipped.map(({ campaign, run }) => ({ campaign, dueAt: run.dueAt })),
    ...(Number.isFinite(nextDue) ? { nextDueAt: new Date(nextDue).toISOString() } : {}),
  };
}
