import { sql } from 'kysely';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import type { TimelineEvent } from '../processing/triage.js';
import { viewKeyOf } from './build.js';
import { groupOfSource, type SlotCount } from './histogram.js';
import { readText } from './rows.js';
import type { EventFilters, EvidenceView, ViewSummary } from './types.js';

/** The stored view of a package hash under this Gatehouse's format, if one was built. */
export async function readView(store: Store, packageHash: string): Promise<EvidenceView | undefined> {
  const row = await store.db
    .selectFrom('evidence_views')
    .selectAll()
    .where('view_key', '=', viewKeyOf(packageHash))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    key: row.view_key,
    packageId: row.package_id,
    packageHash: row.package_hash,
    summary: JSON.parse(row.summary) as ViewSummary,
    eventCount: Number(row.event_count),
    bodyfileCount: Number(row.bodyfile_count),
    builtAt: row.built_at,
  };
}

/** The matching events; a source or kind the view does not hold matches nothing (position -1). */
function matching(store: Store, view: EvidenceView, filters: EventFilters) {
  let query = store.db.selectFrom('evidence_view_events').where('view_key', '=', view.key);
  if (filters.source) query = query.where('source_no', '=', view.summary.sources.indexOf(filters.source));
  if (filters.kind) query = query.where('kind_no', '=', view.summary.kinds.indexOf(filters.kind));
  if (filters.fromMs !== undefined) query = query.where('at_ms', '>=', filters.fromMs);
  if (filters.toMs !== undefined) query = query.where('at_ms', '<=', filters.toMs);
  return query;
}

/** How many events match, and the first and last of their times (ms). */
export async function countEvents(
  store: Store,
  view: EvidenceView,
  filters: EventFilters,
): Promise<{ total: number; first: number; last: number }> {
  const row = await matching(store, view, filters)
    .select((eb) => [
      eb.fn.countAll<number | string>().as('total'),
      eb.fn.min('at_ms').as('first'),
      eb.fn.max('at_ms').as('last'),
    ])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), first: Number(row.first ?? 0), last: Number(row.last ?? 0) };
}

/** Matching events per time slot of `width` ms from `origin` (which is at or before the first), per group. */
export async function countPerSlot(
  store: Store,
  view: EvidenceView,
  query: { filters: EventFilters; origin: number; width: number },
): Promise<SlotCount[]> {
  // Literals, not parameters: PostgreSQL matches the grouped expression to the selected one by its text.
  const origin = sql.lit(Math.floor(query.origin));
  const width = sql.lit(Math.max(1, Math.floor(query.width)));
  const slot = sql<number | string>`cast((at_ms - ${origin}) / ${width} as bigint)`;
  const rows = await matching(store, view, query.filters)
    .select((eb) => [slot.as('slot'), 'source_no', eb.fn.countAll<number | string>().as('count')])
    .groupBy([slot, 'source_no'])
    .execute();
  const { sources } = view.summary;
  return rows.map((row) => ({
    slot: Number(row.slot),
    group: groupOfSource(sources[Number(row.source_no)] ?? ''),
    count: Number(row.count),
  }));
}

const asEvent = (row: {
  datetime: string;
  kind: string;
  message: string;
  source: string;
}): TimelineEvent => ({
  datetime: row.datetime,
  timestamp_desc: row.kind,
  message: readText(row.message),
  source: readText(row.source),
});

/** One page of the matching events, in the timeline's order. */
export async function eventsPage(
  store: Store,
  view: EvidenceView,
  query: { filters: EventFilters; offset: number; limit: number },
): Promise<TimelineEvent[]> {
  const rows = await matching(store, view, query.filters)
    .select(['datetime', 'kind', 'message', 'source'])
    .orderBy('seq')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return rows.map(asEvent);
}

/** Rows read per query while an export streams: memory stays flat whatever the package holds. */
const chunk = 2000;

function cutShort(view: EvidenceView, what: string, sent: number, expected: number): AppError {
  return new AppError(
    'conflict',
    `the ${what} of package ${view.packageId} ended after ${sent} of ${expected} rows`,
    {
      fix: 'The package was verified again meanwhile (its view was replaced): export it again',
    },
  );
}

/** Every event of the view in order, read a chunk at a time; a view replaced meanwhile fails the stream. */
export async function* streamEvents(store: Store, view: EvidenceView): AsyncGenerator<TimelineEvent> {
  let sent = 0;
  for (let after = -1; ; ) {
    const rows = await store.db
      .selectFrom('evidence_view_events')
      .select(['seq', 'datetime', 'kind', 'message', 'source'])
      .where('view_key', '=', view.key)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(chunk)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) yield asEvent(row);
    sent += rows.length;
    after = Number(rows[rows.length - 1]!.seq);
  }
  if (sent !== view.eventCount) throw cutShort(view, 'timeline', sent, view.eventCount);
}

/** Every bodyfile line of the view in order, as `streamEvents` reads events. */
export async function* streamBodyfile(store: Store, view: EvidenceView): AsyncGenerator<string> {
  let sent = 0;
  for (let after = -1; ; ) {
    const rows = await store.db
      .selectFrom('evidence_view_bodyfile')
      .select(['seq', 'line'])
      .where('view_key', '=', view.key)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(chunk)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) yield readText(row.line);
    sent += rows.length;
    after = Number(rows[rows.length - 1]!.seq);
  }
  if (sent !== view.bodyfileCount) throw cutShort(view, 'bodyfile', sent, view.bodyfileCount);
}
