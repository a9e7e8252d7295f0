import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import type { ForensicsJobRowsTable, ForensicsJobsTable } from '../../store/tables/forensics.js';
import type { MethodName } from '../targets.js';
import { defaultJobLimits, type Job, type JobLimits, type JobRow } from './types.js';

/** The signal channel that wakes event streams when a job changes; the payload is the job id. */
export const jobChannel = 'forensics_jobs';
/** A running job whose replica has not renewed it for this long is interrupted. */
export const staleAfterMs = 30_000;
/** Finished jobs older than this are dropped (their packages and audit entries stay). */
const keptForMs = 7 * 24 * 3600_000;

export interface NewJob {
  readonly operator: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly selector?: string;
  readonly method: MethodName | 'auto';
  readonly labels: readonly string[];
  readonly replica: string;
  readonly limits?: JobLimits;
  readonly now?: Date;
}

async function signal(store: Store, id: string): Promise<void> {
  // A lost signal only delays a page by one poll: it must not fail the write it follows.
  await store.signals?.notify(jobChannel, id).catch(() => undefined);
}

function overLimit(input: NewJob, mine: number, total: number, limits: JobLimits): AppError | undefined {
  if (mine > limits.perPerson)
    return new AppError(
      'conflict',
      `${input.operator} already runs ${mine - 1} acquisitions, the most one person may run at once (${limits.perPerson})`,
      { fix: 'Wait for one to finish (its page shows the progress), then start this one' },
    );
  if (total > limits.total)
    return new AppError(
      'conflict',
      `${total - 1} acquisitions are running on this Gatehouse, the most it runs at once (${limits.total})`,
      { fix: 'Wait a few minutes for running acquisitions to finish, then start this one' },
    );
  return undefined;
}

/** The advisory lock key that serializes job starts on PostgreSQL (any fixed number of this table's own). */
const startLock = 2026_12_01_0060;

/**
 * Records a new job with its containers queued, refusing it when the person or the installation
 * already runs as many as the limits allow; starts are counted one at a time, so simultaneous
 * ones cannot slip past the limit together.
 */
export async function createJob(store: Store, input: NewJob): Promise<Job> {
  const now = (input.now ?? new Date()).toISOString();
  await sweepStale(store, input.now);
  const id = randomUUID();
  const row: ForensicsJobsTable = {
    id,
    operator: input.operator,
    cluster: input.cluster,
    namespace: input.namespace,
    selector: input.selector ?? null,
    method: input.method,
    started_at: now,
    finished_at: null,
    replica: input.replica,
    heartbeat_at: now,
    interrupted: null,
  };
  await store.db.transaction().execute(async (trx) => {
    // Starts are counted one at a time: SQLite has one writer; PostgreSQL takes a lock held to the commit.
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${startLock})`.execute(trx);
    await trx.insertInto('forensics_jobs').values(row).execute();
    const running = await trx
      .selectFrom('forensics_jobs')
      .select('operator')
      .where('finished_at', 'is', null)
      .execute();
    const mine = running.filter((job) => job.operator === input.operator).length;
    const refused = overLimit(input, mine, running.length, input.limits ?? defaultJobLimits);
    if (refused) throw refused;
    if (input.labels.length > 0)
      await trx
        .insertInto('forensics_job_rows')
        .values(
          input.labels.map((label, position) => ({
            job_id: id,
            position,
            label,
            stage: 'waiting',
            bytes: 0,
            items: 0,
            status: 'queued',
            result: null,
            updated_at: now,
          })),
        )
        .execute();
  });
  const cutoff = new Date(Date.parse(now) - keptForMs).toISOString();
  await store.db.deleteFrom('forensics_jobs').where('finished_at', '<', cutoff).execute();
  const job = await readJob(store, id, input.now);
  if (!job) throw new AppError('store.failed', `job ${id} was not recorded`, { fix: 'Try again' });
  return job;
}

/** One container's progress or result; a job already finished (interrupted) is left as it is. */
export async function writeRow(store: Store, id: string, position: number, row: JobRow): Promise<void> {
  const { label: _label, stage, bytes, items, status, ...rest } = row;
  const result = status === 'sealed' || status === 'failed' ? JSON.stringify(rest) : null;
  await store.db
    .updateTable('forensics_job_rows')
    .set({ stage: stage.slice(0, 100), bytes, items, status, result, updated_at: new Date().toISOString() })
    .where('job_id', '=', id)
    .where('position', '=', position)
    .where((eb) =>
      eb.exists(
        eb.selectFrom('forensics_jobs').select('id').where('id', '=', id).where('finished_at', 'is', null),
      ),
    )
    .execute();
  await signal(store, id);
}

export async function finishJob(store: Store, id: string): Promise<void> {
  await store.db
    .updateTable('forensics_jobs')
    .set({ finished_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('finished_at', 'is', null)
    .execute();
  await signal(store, id);
}

/** The running replica says its jobs are still alive. */
export async function renewJobs(store: Store, ids: readonly string[], now = new Date()): Promise<void> {
  if (ids.length === 0) return;
  await store.db
    .updateTable('forensics_jobs')
    .set({ heartbeat_at: now.toISOString() })
    .where('id', 'in', [...ids])
    .where('finished_at', 'is', null)
    .execute();
}

/**
 * Ends every running job whose replica stopped renewing it: the job is finished as interrupted
 * and its unfinished containers failed, with what happened and what to do, instead of running
 * forever on every page.
 */
export async function sweepStale(store: Store, at = new Date()): Promise<void> {
  const cutoff = new Date(at.getTime() - staleAfterMs).toISOString();
  const stale = await store.db
    .selectFrom('forensics_jobs')
    .select(['id', 'replica', 'heartbeat_at'])
    .where('finished_at', 'is', null)
    .where('heartbeat_at', '<', cutoff)
    .execute();
  for (const job of stale) {
    const why = `the server replica ${job.replica} running this acquisition stopped (no sign of it since ${job.heartbeat_at})`;
    const fix = 'Start the acquisition again; packages sealed before it stopped are on the Evidence page';
    const ended = await store.db
      .updateTable('forensics_jobs')
      .set({ finished_at: at.toISOString(), interrupted: `${why}. ${fix}.` })
      .where('id', '=', job.id)
      .where('finished_at', 'is', null)
      .where('heartbeat_at', '=', job.heartbeat_at)
      .executeTakeFirst();
    if (Number(ended.numUpdatedRows) === 0) continue;
    await store.db
      .updateTable('forensics_job_rows')
      .set({
        status: 'failed',
        result: JSON.stringify({ error: `interrupted: ${why}`, fix, packageId: undefined }),
        updated_at: at.toISOString(),
      })
      .where('job_id', '=', job.id)
      .where('status', 'in', ['queued', 'running'])
      .execute();
    await signal(store, job.id);
  }
}

function rowOf(row: ForensicsJobRowsTable): JobRow {
  const base = { label: row.label, stage: row.stage, bytes: Number(row.bytes), items: Number(row.items) };
  const result = row.result ? (JSON.parse(row.result) as Record<string, unknown>) : {};
  switch (row.status) {
    case 'sealed':
      return { ...base, ...(result as object), status: 'sealed' } as JobRow;
    case 'failed':
      return {
        ...base,
        fix: undefined,
        packageId: undefined,
        ...(result as object),
        status: 'failed',
      } as JobRow;
    case 'running':
      return { ...base, status: 'running' };
    default:
      return { ...base, status: 'queued' };
  }
}

/** A job with its containers as the store has them now (a stale one is interrupted first). */
export async function readJob(store: Store, id: string, at?: Date): Promise<Job | undefined> {
  await sweepStale(store, at);
  const job = await store.db.selectFrom('forensics_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!job) return undefined;
  const rows = await store.db
    .selectFrom('forensics_job_rows')
    .selectAll()
    .where('job_id', '=', id)
    .orderBy('position')
    .execute();
  return {
    id: job.id,
    operator: job.operator,
    cluster: job.cluster,
    namespace: job.namespace,
    selector: job.selector ?? undefined,
    method: job.method as MethodName | 'auto',
    startedAt: job.started_at,
    finishedAt: job.finished_at ?? undefined,
    replica: job.replica,
    interrupted: job.interrupted ?? undefined,
    rows: rows.map(rowOf),
  };
}
