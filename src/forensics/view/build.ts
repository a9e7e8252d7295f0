import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database, Store } from '../../store/index.js';
import { findIndicators, sortIndicators } from '../processing/indicators.js';
import { bodyfileLine } from '../processing/parse.js';
import { buildTimeline, factsOf, type OpenPackage, type TimelineEvent } from '../processing/triage.js';
import { spreadOf } from './histogram.js';
import { insertBodyfile, insertEvents } from './rows.js';
import { type ViewSummary, viewFileLimit } from './types.js';

/**
 * The format of the stored rows and summary: part of every view's key, so a Gatehouse that
 * builds views differently never reads one built by an older one. Raise it with any change to
 * what `buildView` computes.
 */
// 2: an event's source is stored as JSON text, as its message (a path may hold a NUL).
const viewFormat = 'evidence-view/2';

/** The key of a package's view: its verified hash under this format. */
export function viewKeyOf(packageHash: string): string {
  return createHash('sha256').update(`${viewFormat}\n${packageHash}`).digest('hex');
}

export interface BuiltView {
  readonly summary: ViewSummary;
  readonly events: readonly TimelineEvent[];
  readonly bodyfile: readonly string[];
}

const distinct = (values: Iterable<string>) => [...new Set(values)].sort();

/** Everything the page and the exports show of an opened package, computed in one pass. */
export function buildView(pkg: OpenPackage): BuiltView {
  const facts = factsOf(pkg);
  const events = buildTimeline(pkg, facts);
  const collected = pkg.items.filter((item) => item.path);
  const summary: ViewSummary = {
    custody: pkg.custody,
    indicators: sortIndicators(findIndicators(pkg, { facts })),
    processes: facts.processes.map(({ pid, ppid, name, uid, cmdline, exe, cwd }) => ({
      pid,
      ppid,
      name,
      uid,
      cmdline,
      exe,
      cwd,
    })),
    files: collected.slice(0, viewFileLimit),
    fileCount: collected.length,
    sources: distinct(events.map((event) => event.source)),
    kinds: distinct(events.map((event) => event.timestamp_desc)),
    spread: spreadOf(events),
  };
  return { summary, events, bodyfile: facts.files.map(bodyfileLine) };
}

/**
 * Stores a view under its key, replacing the package's views of other hashes or formats. The
 * header row goes first: when another replica stored the same view meanwhile, nothing is
 * written twice (on PostgreSQL the insert waits for that replica's commit, then does nothing).
 */
export async function saveView(
  store: Store,
  target: { packageId: string; packageHash: string; builtAt: string; keep?: number },
  built: BuiltView,
): Promise<void> {
  const key = viewKeyOf(target.packageHash);
  const stored = await store.db.transaction().execute(async (trx) => {
    const header = await trx
      .insertInto('evidence_views')
      .values({
        view_key: key,
        package_hash: target.packageHash,
        package_id: target.packageId,
        summary: JSON.stringify(built.summary),
        event_count: built.events.length,
        bodyfile_count: built.bodyfile.length,
        built_at: target.builtAt,
      })
      .onConflict((conflict) => conflict.column('view_key').doNothing())
      .executeTakeFirst();
    if (Number(header.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await dropOtherViews(trx, target.packageId, key);
    await dropOldestViews(trx, target.keep ?? keptViews);
    await insertEvents(trx, store.dialect, { key, summary: built.summary, events: built.events });
    await insertBodyfile(trx, store.dialect, { key, lines: built.bodyfile });
    return true;
  });
  // PostgreSQL plans from statistics, which a table that just grew by a package's events lacks
  // until autovacuum comes by: without them it sorts the rest of the table for every chunk read.
  if (stored && store.dialect === 'postgres')
    await sql`analyze evidence_view_events, evidence_view_bodyfile`.execute(store.db);
}

/**
 * Views kept in the store, the most recently built: one of a large package holds tens of
 * megabytes, and a package no longer looked at (or deleted) should not keep its own forever.
 * A dropped view is built again when its package is next opened.
 */
const keptViews = 50;

type Trx = Transaction<Database>;

async function dropViews(trx: Trx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await trx.deleteFrom('evidence_view_events').where('view_key', 'in', keys).execute();
  await trx.deleteFrom('evidence_view_bodyfile').where('view_key', 'in', keys).execute();
  await trx.deleteFrom('evidence_views').where('view_key', 'in', keys).execute();
}

/** A package has one view at a time: those of an earlier hash or format go. */
async function dropOtherViews(trx: Trx, packageId: string, key: string): Promise<void> {
  const stale = await trx
    .selectFrom('evidence_views')
    .select('view_key')
    .where('package_id', '=', packageId)
    .where('view_key', '!=', key)
    .execute();
  await dropViews(
    trx,
    stale.map((row) => row.view_key),
  );
}

async function dropOldestViews(trx: Trx, keep: number): Promise<void> {
  const views = await trx
    .selectFrom('evidence_views')
    .select('view_key')
    .orderBy('built_at', 'desc')
    .orderBy('view_key')
    .execute();
  await dropViews(
    trx,
    views.slice(keep).map((row) => row.view_key),
  );
}
