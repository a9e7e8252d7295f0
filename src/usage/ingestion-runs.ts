import { randomUUID } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import type { Store } from '../store/index.js';
import type { SkipReason } from './audit-event.js';
import type { RunCounts } from './usage-store.js';

/** A malformed line, for the user to find it: the first few of a run are kept. */
export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** What happened to one file of an ingest. */
export interface FileResult {
  readonly path: string;
  /**
   * `read`: new lines were read; `unchanged`: already read to its end (by content, not name: a
   * rotated or gzipped copy counts as the same file); `empty`: no complete line yet; `failed`.
   */
  readonly status: 'read' | 'unchanged' | 'empty' | 'failed';
  /** Lines of this file read before and after this ingest. */
  readonly fromLine: number;
  readonly toLine: number;
  /** Why it failed; what was read before the failure is kept. */
  readonly error?: string;
  /** The last line had no newline and was not a whole event: it is read next time. */
  readonly incompleteTail?: boolean;
}

/** The outcome of `ingestAuditLog`: partial failure is part of the value. */
export interface IngestResult {
  readonly id: string;
  readonly cluster: string;
  readonly source: string;
  readonly status: 'succeeded' | 'partial' | 'failed';
  /** Earliest and latest event read (ISO): the window this ingest is evidence for. */
  readonly window: { readonly from: string; readonly to: string } | undefined;
  readonly events: RunCounts;
  readonly skippedBy: Readonly<Record<SkipReason, number>>;
  readonly malformedLines: readonly MalformedLine[];
  readonly files: readonly FileResult[];
  readonly seconds: number;
}

export interface RunStart {
  readonly id: string;
  readonly cluster: string;
  readonly source: string;
  readonly actor: string;
  readonly startedAt: Date;
}

/** Records the start of an ingest, and audits it, before anything is counted. */
export async function startIngestion(
  store: Store,
  input: { readonly cluster: string; readonly source: string; readonly actor: string },
): Promise<RunStart> {
  const run: RunStart = { ...input, id: randomUUID(), startedAt: new Date() };
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .insertInto('usage_ingestions')
      .values({
        id: run.id,
        cluster: run.cluster,
        source: run.source,
        actor: run.actor,
        started_at: run.startedAt.toISOString(),
        finished_at: null,
        status: 'running',
        window_from: null,
        window_to: null,
        events_read: 0,
        events_counted: 0,
        events_skipped: 0,
        malformed: 0,
        report: '{}',
      })
      .execute();
    await audit(
      {
        actor: run.actor,
        action: 'usage.ingest',
        target: `cluster/${run.cluster}`,
        outcome: 'started',
        details: { id: run.id, source: run.source },
      },
      () => run.startedAt,
    );
  });
  return run;
}

/** Records how the ingest ended, with its audit entry, in one transaction. */
export async function finishIngestion(store: Store, run: RunStart, result: IngestResult): Promise<void> {
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .updateTable('usage_ingestions')
      .set({
        finished_at: new Date().toISOString(),
        status: result.status,
        events_read: result.events.read,
        events_counted: result.events.counted,
        events_skipped: result.events.skipped,
        malformed: result.events.malformed,
        window_from: result.window?.from ?? null,
        window_to: result.window?.to ?? null,
        report: JSON.stringify({
          files: result.files,
          malformedLines: result.malformedLines,
          skippedBy: result.skippedBy,
        }),
      })
      .where('id', '=', run.id)
      .execute();
    await audit({
      actor: run.actor,
      action: 'usage.ingest',
      target: `cluster/${run.cluster}`,
      outcome: result.status === 'failed' ? 'failed' : 'succeeded',
      details: { id: run.id, source: run.source, events: result.events, window: result.window ?? null },
    });
  });
}

/** A past ingest, as listed. */
export interface IngestionSummary {
  readonly id: string;
  readonly cluster: string;
  readonly source: string;
  readonly actor: string;
  readonly startedAt: string;
  readonly finishedAt: string | undefined;
  readonly status: string;
  readonly window: { readonly from: string; readonly to: string } | undefined;
  readonly events: RunCounts;
}

/** The ingests of a cluster (every cluster when absent), newest first. */
export async function listIngestions(store: Store, cluster?: string): Promise<IngestionSummary[]> {
  let query = store.db.selectFrom('usage_ingestions').selectAll().orderBy('started_at', 'desc').limit(500);
  if (cluster !== undefined) query = query.where('cluster', '=', cluster);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    cluster: row.cluster,
    source: row.source,
    actor: row.actor,
    startedAt: row.started_at,
    finishedAt: row.finished_at ?? undefined,
    status: row.status,
    window: row.window_from && row.window_to ? { from: row.window_from, to: row.window_to } : undefined,
    events: {
      read: Number(row.events_read),
      counted: Number(row.events_counted),
      skipped: Number(row.events_skipped),
      malformed: Number(row.malformed),
    },
  }));
}
