import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AppError, messageOf } from '../errors.js';
import { type Store, uuidPrefixPattern } from '../store/index.js';
import type { ClusterRead, ReadError } from './read-cluster.js';
import { pruneOlderRisks, risksOfRead, writeRunRisks } from './run-risks.js';
import { writeRunSides } from './run-sides.js';
import { writeSubjectIndex } from './subject-index.js';

export type SyncStatus = 'succeeded' | 'partial' | 'failed';

/** The record of one sync: when, what it read, and what it could not. */
export interface SyncRun {
  readonly id: string;
  readonly cluster: string;
  readonly server: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: SyncStatus;
  readonly counts: Readonly<Record<string, number>>;
  readonly resourceVersions: Readonly<Record<string, string>>;
  readonly errors: readonly ReadError[];
}

export function countsOf(read: ClusterRead): Record<string, number> {
  return {
    namespaces: read.namespaces.length,
    serviceAccounts: read.serviceAccounts.length,
    // Only when pods were read: a page can then tell "no pod" from "pods not synced".
    ...(read.pods ? { pods: read.pods.length } : {}),
    roles: read.roles.length,
    clusterRoles: read.clusterRoles.length,
    roleBindings: read.roleBindings.length,
    clusterRoleBindings: read.clusterRoleBindings.length,
    awsAuth: read.awsAuth ? 1 : 0,
    accessEntries: read.eks?.accessEntries.length ?? 0,
  };
}

/** Stores a run and the snapshot it read; history is kept (no run is overwritten). */
export async function saveSyncRun(
  store: Store,
  run: Omit<SyncRun, 'id'>,
  read: ClusterRead,
): Promise<SyncRun> {
  const saved: SyncRun = { ...run, id: randomUUID() };
  // Pods live in their own rows, read by service account; the snapshot keeps RBAC and identities.
  const { pods, ...rest } = read;
  const data = gzipSync(JSON.stringify(rest)).toString('base64');
  // Computed once here, outside the transaction (seconds on a large cluster), for the risks page.
  const risks = risksOfRead(read, 'without-defaults');
  await store.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('sync_runs')
      .values({
        id: saved.id,
        cluster: saved.cluster,
        server: saved.server,
        started_at: saved.startedAt,
        finished_at: saved.finishedAt,
        status: saved.status,
        counts: JSON.stringify(saved.counts),
        resource_versions: JSON.stringify(saved.resourceVersions),
        errors: JSON.stringify(saved.errors),
      })
      .execute();
    await tx.insertInto('sync_snapshots').values({ run_id: saved.id, data }).execute();
    await writeSubjectIndex(tx, saved, read);
    await writeRunSides(tx, saved.id, { ...rest, ...(pods ? { pods } : {}) });
    await writeRunRisks(tx, { id: saved.id, variant: 'without-defaults' }, risks);
    await pruneOlderRisks(tx, saved.cluster);
  });
  return saved;
}

type SyncRunRow = {
  id: string;
  cluster: string;
  server: string;
  started_at: string;
  finished_at: string;
  status: string;
  counts: string;
  resource_versions: string;
  errors: string;
};

function toRun(row: SyncRunRow): SyncRun {
  return {
    id: row.id,
    cluster: row.cluster,
    server: row.server,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status as SyncStatus,
    counts: JSON.parse(row.counts) as Record<string, number>,
    resourceVersions: JSON.parse(row.resource_versions) as Record<string, string>,
    errors: JSON.parse(row.errors) as ReadError[],
  };
}

/** Runs of a cluster, newest first. */
export async function listSyncRuns(
  store: Store,
  cluster: string,
  limit = 50,
  options: { readonly usableOnly?: boolean } = {},
): Promise<SyncRun[]> {
  let query = store.db.selectFrom('sync_runs').selectAll().where('cluster', '=', cluster);
  // A failed run read no RBAC: answering from it would say "nobody can" with confidence.
  if (options.usableOnly) query = query.where('status', '!=', 'failed');
  const rows = await query.orderBy('started_at', 'desc').limit(limit).execute();
  return rows.map(toRun);
}

/** Every cluster with at least one stored sync run, by name. */
export async function listSyncedClusters(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('sync_runs')
    .select('cluster')
    .distinct()
    .orderBy('cluster')
    .execute();
  return rows.map((row) => row.cluster);
}

/** A run (of `cluster`, when given) by id or by an unambiguous id prefix (as printed in tables). */
export async function findSyncRun(store: Store, id: string, cluster?: string): Promise<SyncRun> {
  const pattern = uuidPrefixPattern(id);
  let query = store.db
    .selectFrom('sync_runs')
    .selectAll()
    .where('id', 'like', pattern ?? '');
  if (cluster) query = query.where('cluster', '=', cluster);
  const rows = pattern ? await query.limit(2).execute() : [];
  if (rows.length === 1) return toRun(rows[0]!);
  throw new AppError(
    'not-found',
    rows.length === 0 ? `no sync run "${id}"` : `sync run id "${id}" is ambiguous`,
    {
      fix: 'List runs with `gatehouse rbac runs --context NAME` and give a longer id',
    },
  );
}

export async function loadSyncSnapshot(store: Store, runId: string): Promise<ClusterRead> {
  const row = await store.db
    .selectFrom('sync_snapshots')
    .select('data')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not-found', `sync run ${runId} has no stored snapshot`, {
      fix: 'Run `gatehouse rbac sync` again',
    });
  try {
    return JSON.parse(gunzipSync(Buffer.from(row.data, 'base64')).toString('utf8')) as ClusterRead;
  } catch (error) {
    throw new AppError('store.failed', `the snapshot of sync run ${runId} is corrupt: ${messageOf(error)}`, {
      fix: 'Run `gatehouse rbac sync` again',
      cause: error,
    });
  }
}
