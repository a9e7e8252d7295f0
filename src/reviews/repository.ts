import type { Selectable } from 'kysely';
import { AppError } from '../errors.js';
import { type Database, type Store, uuidPrefixPattern } from '../store/index.js';
import type {
  Campaign,
  CampaignCounts,
  DefaultAction,
  ItemState,
  ReviewerRef,
  ReviewerRule,
  ReviewItem,
  SkippedRun,
} from './types.js';
import { itemStates } from './types.js';

/** The one place that reads and writes the review tables. */

type CampaignRow = Selectable<Database['review_campaigns']>;
type ItemRow = Selectable<Database['review_items']>;

/** Every column but the skipped runs, which only `recordSkippedRun` writes (compare and set). */
export function campaignRow(campaign: Campaign, now: string): Omit<CampaignRow, 'skipped_runs'> {
  return {
    id: campaign.id,
    name: campaign.name,
    cluster: campaign.cluster,
    sync_run_id: campaign.syncRunId,
    snapshot_hash: campaign.snapshotHash,
    scope: JSON.stringify(campaign.scope),
    reviewers: JSON.stringify(campaign.reviewers),
    deadline_at: campaign.deadlineAt,
    default_action: campaign.defaultAction,
    reminder_offsets: JSON.stringify(campaign.reminderOffsets),
    reminders_sent: JSON.stringify(campaign.remindersSent),
    state: campaign.state,
    created_at: campaign.createdAt,
    created_by: campaign.createdBy,
    closed_at: campaign.closedAt ?? null,
    closed_by: campaign.closedBy ?? null,
    recur_every_seconds: campaign.recurEverySeconds ?? null,
    previous_id: campaign.previousId ?? null,
    updated_at: now,
  };
}

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    cluster: row.cluster,
    syncRunId: row.sync_run_id,
    snapshotHash: row.snapshot_hash,
    scope: JSON.parse(row.scope),
    reviewers: JSON.parse(row.reviewers),
    deadlineAt: row.deadline_at,
    defaultAction: row.default_action as DefaultAction,
    reminderOffsets: JSON.parse(row.reminder_offsets),
    remindersSent: JSON.parse(row.reminders_sent),
    state: row.state === 'closed' ? 'closed' : 'open',
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.closed_at ? { closedAt: row.closed_at } : {}),
    ...(row.closed_by ? { closedBy: row.closed_by } : {}),
    ...(row.recur_every_seconds ? { recurEverySeconds: Number(row.recur_every_seconds) } : {}),
    ...(row.previous_id ? { previousId: row.previous_id } : {}),
    ...(row.skipped_runs && row.skipped_runs !== '[]' ? { skippedRuns: JSON.parse(row.skipped_runs) } : {}),
  };
}

export function itemRow(item: ReviewItem, now: string): ItemRow {
  return {
    id: item.id,
    campaign_id: item.campaignId,
    ordinal: item.ordinal,
    subject_kind: item.subject.kind,
    subject_name: item.subject.name,
    subject_namespace: item.subject.namespace ?? '',
    namespace: item.namespace,
    grant_ref: JSON.stringify(item.grant),
    risks: JSON.stringify(item.risks),
    severity: item.severity ?? '',
    holders: item.holders,
    reviewer: item.reviewer,
    reviewer_rule: item.reviewerRule,
    state: item.state,
    decision: item.decision?.kind ?? null,
    reason: item.decision?.reason ?? null,
    decided_by: item.decision?.by ?? null,
    decided_at: item.decision?.at ?? null,
    revocation: item.revocation ? JSON.stringify(item.revocation) : null,
    notes: JSON.stringify(item.notes),
    updated_at: now,
  };
}

function toItem(row: ItemRow): ReviewItem {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    ordinal: Number(row.ordinal),
    subject: {
      kind: row.subject_kind as ReviewItem['subject']['kind'],
      name: row.subject_name,
      ...(row.subject_namespace ? { namespace: row.subject_namespace } : {}),
    },
    namespace: row.namespace,
    grant: JSON.parse(row.grant_ref),
    risks: JSON.parse(row.risks),
    severity: (row.severity || undefined) as ReviewItem['severity'],
    holders: Number(row.holders),
    reviewer: row.reviewer as ReviewerRef,
    reviewerRule: row.reviewer_rule as ReviewerRule,
    state: row.state as ItemState,
    ...(row.decision && row.decided_by && row.decided_at
      ? {
          decision: {
            kind: row.decision as 'keep' | 'revoke',
            reason: row.reason ?? '',
            by: row.decided_by,
            at: row.decided_at,
          },
        }
      : {}),
    ...(row.revocation ? { revocation: JSON.parse(row.revocation) } : {}),
    notes: JSON.parse(row.notes),
  };
}

/** A campaign by id or unambiguous id prefix (as tables print it). */
export async function getCampaign(store: Store, id: string): Promise<Campaign> {
  const pattern = uuidPrefixPattern(id);
  const rows = pattern
    ? await store.db
        .selectFrom('review_campaigns')
        .selectAll()
        .where('id', 'like', pattern)
        .limit(2)
        .execute()
    : [];
  if (rows.length === 1) return toCampaign(rows[0]!);
  throw new AppError(
    'not-found',
    rows.length > 1 ? `review campaign id "${id}" is ambiguous` : `no review campaign "${id}"`,
    { fix: 'List campaigns with `gatehouse reviews list` and give a longer id' },
  );
}

export async function listCampaigns(
  store: Store,
  filter: { readonly state?: 'open' | 'closed'; readonly recurring?: boolean } = {},
): Promise<Campaign[]> {
  let query = store.db.selectFrom('review_campaigns').selectAll();
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.recurring) query = query.where('recur_every_seconds', 'is not', null);
  return (await query.orderBy('created_at', 'desc').execute()).map(toCampaign);
}

export interface ItemFilter {
  readonly state?: ItemState;
  readonly reviewer?: ReviewerRef;
  readonly namespace?: string;
  readonly severity?: string;
  readonly subject?: string;
  readonly ids?: readonly string[];
}

export async function listItems(
  store: Store,
  campaignId: string,
  filter: ItemFilter = {},
): Promise<ReviewItem[]> {
  let query = store.db.selectFrom('review_items').selectAll().where('campaign_id', '=', campaignId);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.reviewer) query = query.where('reviewer', '=', filter.reviewer);
  if (filter.namespace !== undefined) query = query.where('namespace', '=', filter.namespace);
  if (filter.severity) query = query.where('severity', '=', filter.severity);
  if (filter.subject) query = query.where('subject_name', '=', filter.subject);
  if (filter.ids) {
    if (filter.ids.length === 0) return [];
    query = query.where('id', 'in', [...filter.ids]);
  }
  return (await query.orderBy('ordinal').execute()).map(toItem);
}

/** An item of a campaign by id or unambiguous prefix. */
export async function getItem(store: Store, campaignId: string, id: string): Promise<ReviewItem> {
  const pattern = uuidPrefixPattern(id);
  const rows = pattern
    ? await store.db
        .selectFrom('review_items')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .where('id', 'like', pattern)
        .limit(2)
        .execute()
    : [];
  if (rows.length === 1) return toItem(rows[0]!);
  throw new AppError(
    'not-found',
    rows.length > 1
      ? `review item id "${id}" is ambiguous`
      : `no item "${id}" in campaign ${campaignId.slice(0, 8)}`,
    { fix: 'List items with `gatehouse reviews show CAMPAIGN` and give a longer id' },
  );
}

/** Writes an item only if it is still in one of `from`; false when someone else moved it first. */
export async function saveItem(
  store: Store,
  item: ReviewItem,
  from: readonly ItemState[],
  now: string,
): Promise<boolean> {
  const { id, campaign_id, ordinal, ...changes } = itemRow(item, now);
  const result = await store.db
    .updateTable('review_items')
    .set(changes)
    .where('id', '=', id)
    .where('campaign_id', '=', campaign_id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function saveCampaign(store: Store, campaign: Campaign, now: string): Promise<void> {
  const { id, ...changes } = campaignRow(campaign, now);
  await store.db.updateTable('review_campaigns').set(changes).where('id', '=', id).execute();
}

export async function insertCampaign(
  store: Store,
  campaign: Campaign,
  items: readonly ReviewItem[],
  now: string,
): Promise<void> {
  await store.db.insertInto('review_campaigns').values(campaignRow(campaign, now)).execute();
  // Batches keep each insert under the databases' parameter limits (SQLite: 32766).
  for (let start = 0; start < items.length; start += 500)
    await store.db
      .insertInto('review_items')
      .values(items.slice(start, start + 500).map((item) => itemRow(item, now)))
      .execute();
}

/** Items per state. */
export async function countItems(store: Store, campaignId: string): Promise<CampaignCounts> {
  const rows = await store.db
    .selectFrom('review_items')
    .select(['state', ({ fn }) => fn.countAll().as('count')])
    .where('campaign_id', '=', campaignId)
    .groupBy('state')
    .execute();
  const counts = Object.fromEntries(itemStates.map((state) => [state, 0])) as Record<ItemState, number>;
  let total = 0;
  for (const row of rows) {
    counts[row.state as ItemState] = Number(row.count);
    total += Number(row.count);
  }
  return { ...counts, total };
}

/** Whether a campaign already has its successor (the next run of a recurring one). */
export async function hasSuccessor(store: Store, id: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('review_campaigns')
    .select('id')
    .where('previous_id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Adds a skipped run to a recurring campaign, only if its skipped runs are still `seen`: of two
 * passes (or replicas) that found the same run empty, one records it. False when another did.
 */
export async function recordSkippedRun(
  store: Store,
  campaign: Campaign,
  run: SkippedRun,
  now: string,
): Promise<boolean> {
  const seen = JSON.stringify(campaign.skippedRuns ?? []);
  const result = await store.db
    .updateTable('review_campaigns')
    .set({ skipped_runs: JSON.stringify([...(campaign.skippedRuns ?? []), run]), updated_at: now })
    .where('id', '=', campaign.id)
    .where('skipped_runs', '=', seen)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
