import { sql, type Transaction } from 'kysely';
import type { Database, StoreDialect } from '../../store/index.js';
import type { TimelineEvent } from '../processing/triage.js';
import type { ViewSummary } from './types.js';

/**
 * Rows per statement. They travel as one JSON parameter that the database unpacks itself: a
 * statement of thousands of bound parameters costs more to prepare than to run.
 */
const batch = 5000;

/**
 * Container text (a log line, a listed name, the path of a collected log) may hold a NUL, which PostgreSQL text cannot; it
 * is stored as a JSON string, which escapes it, and read back exactly.
 */
export const storedText = (text: string): string => JSON.stringify(text);
export const readText = (stored: string): string => JSON.parse(stored) as string;

type Trx = Transaction<Database>;

async function insertJson(trx: Trx, dialect: StoreDialect, table: 'events' | 'bodyfile', json: string) {
  switch (`${dialect} ${table}` as const) {
    case 'sqlite events':
      return await sql`insert into evidence_view_events (view_key, seq, at_ms, datetime, kind, source, source_no, kind_no, message)
        select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8
        from json_each(${json})`.execute(trx);
    case 'postgres events':
      return await sql`insert into evidence_view_events (view_key, seq, at_ms, datetime, kind, source, source_no, kind_no, message)
        select r->>0, (r->>1)::integer, (r->>2)::bigint, r->>3, r->>4, r->>5, (r->>6)::integer, (r->>7)::integer, r->>8
        from json_array_elements(${json}::json) as t(r)`.execute(trx);
    case 'sqlite bodyfile':
      return await sql`insert into evidence_view_bodyfile (view_key, seq, line)
        select value ->> 0, value ->> 1, value ->> 2 from json_each(${json})`.execute(trx);
    case 'postgres bodyfile':
      return await sql`insert into evidence_view_bodyfile (view_key, seq, line)
        select r->>0, (r->>1)::integer, r->>2 from json_array_elements(${json}::json) as t(r)`.execute(trx);
  }
}

/** Stores a view's events in order (`seq`), sources and kinds also by their position in the summary's lists. */
export async function insertEvents(
  trx: Trx,
  dialect: StoreDialect,
  view: { key: string; summary: ViewSummary; events: readonly TimelineEvent[] },
): Promise<void> {
  const sources = new Map(view.summary.sources.map((source, at) => [source, at]));
  const kinds = new Map(view.summary.kinds.map((kind, at) => [kind, at]));
  for (let at = 0; at < view.events.length; at += batch) {
    const rows = view.events
      .slice(at, at + batch)
      .map((event, index) => [
        view.key,
        at + index,
        Date.parse(event.datetime),
        event.datetime,
        event.timestamp_desc,
        storedText(event.source),
        sources.get(event.source) ?? -1,
        kinds.get(event.timestamp_desc) ?? -1,
        storedText(event.message),
      ]);
    await insertJson(trx, dialect, 'events', JSON.stringify(rows));
  }
}

/** Stores a view's bodyfile lines in order. */
export async function insertBodyfile(
  trx: Trx,
  dialect: StoreDialect,
  view: { key: string; lines: readonly string[] },
): Promise<void> {
  for (let at = 0; at < view.lines.length; at += batch) {
    const rows = view.lines
      .slice(at, at + batch)
      .map((line, index) => [view.key, at + index, storedText(line)]);
    await insertJson(trx, dialect, 'bodyfile', JSON.stringify(rows));
  }
}
