import { auditedTransaction } from '../audit/index.js';
import { describeError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { draftCampaign, reviewTarget, storeCampaign } from './campaigns.js';
import { hasSuccessor, listCampaigns, recordSkippedRun } from './repository.js';
import type { Campaign, SkippedRun } from './types.js';

/** Gatehouse itself, opening the next run of a recurring campaign an administrator set up. */
const gatehouse: Principal = {
  subject: 'gatehouse',
  groups: [],
  roles: ['admin'],
  authenticatedBy: { kind: 'local' },
};

export const nothingInScope = 'nothing to review in scope';

/**
 * When the next run of a recurring campaign falls due: one period after it opened, and one more
 * for each run that was skipped because its scope selected nothing.
 */
export const nextRunAt = (campaign: Campaign): number | undefined =>
  campaign.recurEverySeconds
    ? Date.parse(campaign.createdAt) +
      (1 + (campaign.skippedRuns?.length ?? 0)) * campaign.recurEverySeconds * 1000
    : undefined;

export interface RecurringReport {
  readonly opened: Campaign[];
  /** Runs that fell due with nothing in scope: recorded on their campaign, none opened. */
  readonly skipped: { readonly campaign: string; readonly run: SkippedRun }[];
  readonly errors: { campaign: string; message: string }[];
  readonly nextAt?: number;
}

/**
 * Opens the next run of each recurring campaign that is due: the same scope, reviewers, default
 * action, reminders and time to decide, over the cluster's latest sync. Each run names the one
 * before it, so a run is opened once whatever the number of passes or replicas. A run whose scope
 * selects nothing is not opened (nobody is asked to review an empty list): it is recorded as
 * skipped on the campaign, audited, and the one after it becomes due.
 */
export async function openRecurring(store: Store, now: Date): Promise<RecurringReport> {
  const report: RecurringReport = { opened: [], skipped: [], errors: [] };
  let nextAt: number | undefined;
  for (const campaign of await listCampaigns(store, { recurring: true })) {
    const due = nextRunAt(campaign);
    if (due === undefined || (await hasSuccessor(store, campaign.id))) continue;
    try {
      const later = due > now.getTime() ? due : await openRun(store, campaign, due, now, report);
      if (later !== undefined) nextAt = Math.min(nextAt ?? later, later);
    } catch (error) {
      report.errors.push({ campaign: campaign.id, message: describeError(error) });
    }
  }
  return { ...report, ...(nextAt !== undefined ? { nextAt } : {}) };
}

/** Opens the run that fell due at `due`, or records it skipped; returns when the next one falls due, if it must be watched. */
async function openRun(
  store: Store,
  campaign: Campaign,
  due: number,
  now: Date,
  report: RecurringReport,
): Promise<number | undefined> {
  const span = Date.parse(campaign.deadlineAt) - Date.parse(campaign.createdAt);
  const draft = await draftCampaign(
    store,
    {
      name: campaign.name,
      cluster: campaign.cluster,
      scope: campaign.scope,
      reviewers: campaign.reviewers,
      deadlineAt: new Date(now.getTime() + span).toISOString(),
      defaultAction: campaign.defaultAction,
      reminderOffsets: campaign.reminderOffsets,
      recurEverySeconds: campaign.recurEverySeconds!,
      previousId: campaign.id,
    },
    { principal: gatehouse, now },
  );
  if (draft.items.length > 0) {
    report.opened.push((await storeCampaign(store, draft, { principal: gatehouse, now })).campaign);
    return undefined;
  }
  const run: SkippedRun = {
    dueAt: new Date(due).toISOString(),
    at: now.toISOString(),
    syncRunId: draft.campaign.syncRunId,
    reason: nothingInScope,
  };
  if (await skipRun(store, campaign, run, now)) report.skipped.push({ campaign: campaign.id, run });
  return nextRunAt({ ...campaign, skippedRuns: [...(campaign.skippedRuns ?? []), run] });
}

/** Records the skipped run with its audit entry; false when another pass recorded it first. */
async function skipRun(store: Store, campaign: Campaign, run: SkippedRun, now: Date): Promise<boolean> {
  let recorded = false;
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    recorded = await recordSkippedRun(scoped, campaign, run, now.toISOString());
    if (!recorded) return;
    await audit(
      {
        actor: gatehouse.subject,
        action: 'review.skip',
        target: reviewTarget(campaign.id),
        outcome: 'succeeded',
        details: { id: campaign.id, dueAt: run.dueAt, syncRun: run.syncRunId, reason: run.reason },
      },
      () => now,
    );
  });
  return recorded;
}
