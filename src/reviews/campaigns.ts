import { createHash, randomUUID } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import { type Principal, requireRole } from '../identity/index.js';
import {
  type ClusterRead,
  findSyncRun,
  listSyncRuns,
  loadSyncSnapshot,
  type SyncRun,
} from '../inventory/index.js';
import type { Store } from '../store/index.js';
import { buildItems } from './items.js';
import { countItems, getCampaign, insertCampaign, listItems, saveCampaign } from './repository.js';
import { assignReviewer, ownersAnnotation, parseOwners } from './reviewers.js';
import type {
  Campaign,
  CampaignCounts,
  DefaultAction,
  ReviewerRef,
  ReviewerRules,
  ReviewItem,
  ReviewScope,
} from './types.js';

/** The SHA-256 recorded with a campaign: of the frozen snapshot exactly as stored. */
export const snapshotHashOf = (read: ClusterRead): string =>
  createHash('sha256').update(JSON.stringify(read)).digest('hex');

export interface NewCampaign {
  readonly name: string;
  readonly cluster: string;
  /** A sync run id (or prefix); default: the cluster's latest usable run. */
  readonly runId?: string;
  readonly scope: ReviewScope;
  readonly reviewers: ReviewerRules;
  readonly deadlineAt: string;
  readonly defaultAction: DefaultAction;
  /** Seconds before the deadline; default 7, 3 and 1 days. */
  readonly reminderOffsets?: readonly number[];
  /** A recurring campaign (e.g. quarterly: 90 days): the next one opens this long after this one. */
  readonly recurEverySeconds?: number;
  /** Set when the campaign is the next run of a recurring one. */
  readonly previousId?: string;
}

const day = 86_400;
export const defaultReminderOffsets: readonly number[] = [7 * day, 3 * day, day];

/** What a review target looks like in the audit log: `review/CAMPAIGN[/ITEM]`. */
export const reviewTarget = (campaignId: string, itemId?: string): string =>
  `review/${campaignId}${itemId ? `/${itemId}` : ''}`;

/** The run a campaign freezes: the one named (id or prefix), else the cluster's latest usable one. */
export async function chosenRun(store: Store, cluster: string, runId: string | undefined): Promise<SyncRun> {
  const run = runId
    ? await findSyncRun(store, runId, cluster)
    : (await listSyncRuns(store, cluster, 1, { usableOnly: true }))[0];
  if (!run)
    throw new AppError('not-found', `no usable sync of cluster "${cluster}" to review`, {
      fix: `Run \`gatehouse rbac sync --context ${cluster}\` first`,
    });
  if (run.status === 'failed')
    throw new AppError('input.invalid', `sync run ${run.id.slice(0, 8)} failed and read no RBAC`, {
      fix: 'Review a run that succeeded (see `gatehouse rbac runs`)',
    });
  return run;
}

function validate(input: NewCampaign, now: Date): void {
  const name = input.name.trim();
  if (!name || name.length > 200)
    throw new AppError('input.invalid', 'a campaign needs a name of 1 to 200 characters', {
      fix: 'Give --name, e.g. "Q4 2026 production access"',
    });
  const deadline = Date.parse(input.deadlineAt);
  if (Number.isNaN(deadline) || deadline <= now.getTime())
    throw new AppError('input.invalid', `deadline "${input.deadlineAt}" is not a time in the future`, {
      fix: 'Give --deadline as an ISO time (2026-12-31T17:00:00Z) or a duration from now (14d, 36h, 90s)',
    });
  if ((input.reminderOffsets ?? []).some((offset) => !Number.isInteger(offset) || offset <= 0))
    throw new AppError(
      'input.invalid',
      'reminder offsets must be whole numbers of seconds before the deadline',
      {
        fix: 'Give --remind as durations, e.g. 7d,3d,1d',
      },
    );
}

/** A campaign built but not yet stored: its items may be none (an empty scope). */
export interface CampaignDraft {
  readonly campaign: Campaign;
  readonly items: ReviewItem[];
}

/**
 * Creates a campaign over one frozen sync run: one item per subject × grant in scope, each with its
 * reviewer by rule. The snapshot's hash is recorded so the evidence names exactly what was reviewed.
 * A scope that selects nothing creates nothing: nobody is asked to review an empty list.
 *
 * @example
 * await createCampaign(store, { name: 'Q4 prod', cluster: 'prod', scope: { clusterAdminEquivalent: true }, reviewers: { fallback: 'group:security' }, deadlineAt, defaultAction: 'escalate' }, { principal });
 */
export async function createCampaign(
  store: Store,
  input: NewCampaign,
  options: { readonly principal: Principal; readonly now?: Date },
): Promise<{ campaign: Campaign; items: ReviewItem[] }> {
  const draft = await draftCampaign(store, input, options);
  if (draft.items.length === 0)
    throw new AppError(
      'input.invalid',
      `the scope selects no grants in sync ${draft.campaign.syncRunId.slice(0, 8)} of ${draft.campaign.cluster}`,
      {
        fix: 'Widen the scope (namespaces, roles, subject kinds); no campaign was created',
      },
    );
  return await storeCampaign(store, draft, options);
}

/** Validates the input and builds the campaign and its items over the chosen sync, storing nothing. */
export async function draftCampaign(
  store: Store,
  input: NewCampaign,
  options: { readonly principal: Principal; readonly now?: Date },
): Promise<CampaignDraft> {
  requireRole(options.principal, 'admin', 'create access reviews');
  const now = options.now ?? new Date();
  validate(input, now);
  const run = await chosenRun(store, input.cluster, input.runId);
  const read = await loadSyncSnapshot(store, run.id);
  const snapshotHash = snapshotHashOf(read);
  const drafts = buildItems(read, input.scope);
  const owners = new Map<string, ReviewerRef[]>(
    read.namespaces.map((ns) => [ns.metadata.name, parseOwners(ns.metadata.annotations?.[ownersAnnotation])]),
  );
  const campaign: Campaign = {
    id: randomUUID(),
    name: input.name.trim(),
    cluster: run.cluster,
    syncRunId: run.id,
    snapshotHash,
    scope: input.scope,
    reviewers: input.reviewers,
    deadlineAt: new Date(Date.parse(input.deadlineAt)).toISOString(),
    defaultAction: input.defaultAction,
    reminderOffsets: [...(input.reminderOffsets ?? defaultReminderOffsets)].sort((a, b) => b - a),
    remindersSent: [],
    state: 'open',
    createdAt: now.toISOString(),
    createdBy: options.principal.subject,
    ...(input.recurEverySeconds ? { recurEverySeconds: input.recurEverySeconds } : {}),
    ...(input.previousId ? { previousId: input.previousId } : {}),
  };
  const items: ReviewItem[] = drafts.map((draft, ordinal) => {
    const { reviewer, rule } = assignReviewer(draft, input.reviewers, owners);
    return {
      ...draft,
      id: randomUUID(),
      campaignId: campaign.id,
      ordinal,
      reviewer,
      reviewerRule: rule,
      state: 'pending',
      notes: [],
    };
  });
  return { campaign, items };
}

/** Stores a drafted campaign and its items, audited. */
export async function storeCampaign(
  store: Store,
  { campaign, items }: CampaignDraft,
  options: { readonly principal: Principal; readonly now?: Date },
): Promise<{ campaign: Campaign; items: ReviewItem[] }> {
  const now = options.now ?? new Date();
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    await insertCampaign(scoped, campaign, items, now.toISOString());
    await audit(
      {
        actor: options.principal.subject,
        action: 'review.create',
        target: reviewTarget(campaign.id),
        outcome: 'succeeded',
        details: {
          id: campaign.id,
          name: campaign.name,
          cluster: campaign.cluster,
          syncRun: campaign.syncRunId,
          snapshotHash: campaign.snapshotHash,
          scope: campaign.scope,
          items: items.length,
          deadlineAt: campaign.deadlineAt,
          defaultAction: campaign.defaultAction,
        },
      },
      () => now,
    );
  });
  return { campaign, items };
}

/** A campaign with its progress. */
export async function campaignWithCounts(
  store: Store,
  id: string,
): Promise<{ campaign: Campaign; counts: CampaignCounts }> {
  const campaign = await getCampaign(store, id);
  return { campaign, counts: await countItems(store, campaign.id) };
}

/**
 * Closes a campaign: items nobody decided stay as they are in the evidence (pending). Audited.
 * Closing twice is refused, so the log shows one close.
 */
export async function closeCampaign(
  store: Store,
  id: string,
  options: { readonly principal: Principal | 'gatehouse'; readonly now?: Date; readonly why?: string },
): Promise<Campaign> {
  const actor = options.principal === 'gatehouse' ? 'gatehouse' : options.principal.subject;
  if (options.principal !== 'gatehouse') requireRole(options.principal, 'admin', 'close access reviews');
  const now = options.now ?? new Date();
  const campaign = await getCampaign(store, id);
  if (campaign.state === 'closed')
    throw new AppError('conflict', `review campaign ${campaign.id.slice(0, 8)} is already closed`, {
      fix: 'Nothing to do; `gatehouse reviews show` has its evidence',
    });
  const closed: Campaign = { ...campaign, state: 'closed', closedAt: now.toISOString(), closedBy: actor };
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    const pending = (await listItems(scoped, campaign.id, { state: 'pending' })).length;
    await saveCampaign(scoped, closed, now.toISOString());
    await audit(
      {
        actor,
        action: 'review.close',
        target: reviewTarget(campaign.id),
        outcome: 'succeeded',
        details: { id: campaign.id, pending, ...(options.why ? { why: options.why } : {}) },
      },
      () => now,
    );
  });
  return closed;
}
