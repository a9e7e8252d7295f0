import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Database, Store } from '../store/index.js';
import type { IdentityTally, PermissionTally, UsageBatch } from './usage-batch.js';
import { tallyKey } from './usage-batch.js';

/** How far a log file has been read. */
export interface FileProgress {
  readonly bytes: number;
  readonly lines: number;
}

/** A batch of one file, and how far into that file it reaches. */
export interface BatchWrite {
  readonly cluster: string;
  readonly ingestionId: string;
  readonly fingerprint: string;
  readonly path: string;
  /** Progress the batch started from (undefined: the file was never read). */
  readonly from: FileProgress | undefined;
  readonly to: FileProgress;
  readonly batch: UsageBatch;
  readonly counts: RunCounts;
  readonly window: { readonly from: number; readonly to: number } | undefined;
}

/** Running totals of an ingestion. */
export interface RunCounts {
  readonly read: number;
  readonly counted: number;
  readonly skipped: number;
  readonly malformed: number;
}

export async function fileProgress(
  db: Kysely<Database>,
  cluster: string,
  fingerprint: string,
): Promise<FileProgress | undefined> {
  const row = await db
    .selectFrom('usage_files')
    .select(['bytes_read', 'lines_read'])
    .where('cluster', '=', cluster)
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();
  return row ? { bytes: Number(row.bytes_read), lines: Number(row.lines_read) } : undefined;
}

/**
 * Adds a batch's tallies and moves the file's progress in one transaction: the counts and the
 * offset they reach commit together, and a second ingest of the same file that got there first
 * makes this one stop (conflict) instead of counting the same lines twice.
 */
export async function writeBatch(store: Store, write: BatchWrite): Promise<void> {
  await store.db.transaction().execute(async (tx) => {
    await advanceFile(tx, write);
    const tallies = write.batch.tallies();
    await upsertPermissions(tx, write.cluster, tallies.permissions);
    await upsertIdentities(tx, write.cluster, tallies.identities);
    await tx
      .updateTable('usage_ingestions')
      .set({
        events_read: write.counts.read,
        events_counted: write.counts.counted,
        events_skipped: write.counts.skipped,
        malformed: write.counts.malformed,
        ...(write.window
          ? {
              window_from: new Date(write.window.from).toISOString(),
              window_to: new Date(write.window.to).toISOString(),
            }
          : {}),
      })
      .where('id', '=', write.ingestionId)
      .execute();
  });
}

async function advanceFile(tx: Transaction<Database>, write: BatchWrite): Promise<void> {
  const now = new Date().toISOString();
  if (!write.from) {
    const inserted = await tx
      .insertInto('usage_files')
      .values({
        cluster: write.cluster,
        fingerprint: write.fingerprint,
        path: write.path,
        bytes_read: write.to.bytes,
        lines_read: write.to.lines,
        updated_at: now,
      })
      .onConflict((conflict) => conflict.columns(['cluster', 'fingerprint']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return;
  } else {
    const updated = await tx
      .updateTable('usage_files')
      .set({ path: write.path, bytes_read: write.to.bytes, lines_read: write.to.lines, updated_at: now })
      .where('cluster', '=', write.cluster)
      .where('fingerprint', '=', write.fingerprint)
      .where('bytes_read', '=', write.from.bytes)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return;
  }
  throw new AppError(
    'conflict',
    `${write.path} is being read by another ingest for cluster "${write.cluster}"`,
    {
      fix: 'Let the other `gatehouse usage ingest` finish, then run this one again: it continues where that one stopped',
    },
  );
}

// Thirteen columns a row: 500 rows stay under every driver's bound-parameter limit.
const rowsPerInsert = 500;

async function upsertPermissions(
  tx: Transaction<Database>,
  cluster: string,
  tallies: readonly PermissionTally[],
): Promise<void> {
  for (let start = 0; start < tallies.length; start += rowsPerInsert) {
    const rows = tallies.slice(start, start + rowsPerInsert).map((tally) => ({
      cluster,
      key: digest(tallyKey(tally.subject, tally.permission)),
      subject: tally.subject,
      verb: tally.permission.verb,
      api_group: tally.permission.apiGroup,
      resource: tally.permission.resource,
      subresource: tally.permission.subresource,
      namespace: tally.permission.namespace,
      name: tally.permission.name,
      non_resource_url: tally.permission.nonResourceUrl,
      first_used: new Date(tally.first).toISOString(),
      last_used: new Date(tally.last).toISOString(),
      count: tally.count,
    }));
    await tx
      .insertInto('usage_permissions')
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(['cluster', 'key']).doUpdateSet({
          count: sql`usage_permissions.count + excluded.count`,
          first_used: sql`case when excluded.first_used < usage_permissions.first_used then excluded.first_used else usage_permissions.first_used end`,
          last_used: sql`case when excluded.last_used > usage_permissions.last_used then excluded.last_used else usage_permissions.last_used end`,
        }),
      )
      .execute();
  }
}

async function upsertIdentities(
  tx: Transaction<Database>,
  cluster: string,
  tallies: readonly IdentityTally[],
): Promise<void> {
  for (let start = 0; start < tallies.length; start += rowsPerInsert) {
    const rows = tallies.slice(start, start + rowsPerInsert).map((tally) => ({
      cluster,
      key: digest(`${tally.subject}\u001f${tally.kind}\u001f${tally.value}`),
      subject: tally.subject,
      kind: tally.kind,
      value: tally.value,
      first_seen: new Date(tally.first).toISOString(),
      last_seen: new Date(tally.last).toISOString(),
    }));
    await tx
      .insertInto('usage_identities')
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(['cluster', 'key']).doUpdateSet({
          first_seen: sql`case when excluded.first_seen < usage_identities.first_seen then excluded.first_seen else usage_identities.first_seen end`,
          last_seen: sql`case when excluded.last_seen > usage_identities.last_seen then excluded.last_seen else usage_identities.last_seen end`,
        }),
      )
      .execute();
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
