import type { Transaction } from 'kysely';
import type { Database, Store } from '../store/index.js';
import type { ClusterRead, ConfigMapObject, EksAccessConfig } from './read-cluster.js';
import { writeRoleTargets } from './role-targets.js';
import { loadSyncSnapshot, type SyncRun } from './sync-runs.js';

// Rows per INSERT: 4 columns each stays well under SQLite's and PostgreSQL's parameter limits.
const batchSize = 500;

/**
 * Beside a run's snapshot, in the transaction that saves it: its pods by service account and its
 * IAM mappings, so pages about one subject read a few rows instead of the whole snapshot.
 */
export async function writeRunSides(
  tx: Transaction<Database>,
  runId: string,
  read: ClusterRead,
): Promise<void> {
  const pods = (read.pods ?? []).map((pod) => ({
    run_id: runId,
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name,
    service_account: pod.spec?.serviceAccountName ?? 'default',
  }));
  for (let start = 0; start < pods.length; start += batchSize)
    await tx
      .insertInto('sync_pods')
      .values(pods.slice(start, start + batchSize))
      .execute();
  await writeRoleTargets(tx, runId, read);
  // Written last: its row says the run's sides (pods, targets) are all there.
  await tx
    .insertInto('sync_identity_maps')
    .values({
      run_id: runId,
      aws_auth: read.awsAuth ? JSON.stringify(read.awsAuth) : null,
      eks: read.eks ? JSON.stringify(read.eks) : null,
    })
    .execute();
}

/** The pods that run as a service account in a run, or why the run cannot say. */
export type PodsOfServiceAccount =
  | { readonly kind: 'synced'; readonly pods: readonly string[] }
  | { readonly kind: 'not-synced' }
  | { readonly kind: 'unreadable'; readonly message: string };

export async function podsRunningAs(
  store: Store,
  run: SyncRun,
  account: { readonly namespace: string; readonly name: string },
): Promise<PodsOfServiceAccount> {
  const failed = run.errors.find((error) => error.resource === 'pods');
  if (failed) return { kind: 'unreadable', message: failed.message };
  if (run.counts.pods === undefined) return { kind: 'not-synced' };
  const rows = await store.db
    .selectFrom('sync_pods')
    .select('name')
    .where('run_id', '=', run.id)
    .where('namespace', '=', account.namespace)
    .where('service_account', '=', account.name)
    .orderBy('name')
    .execute();
  return { kind: 'synced', pods: rows.map((row) => row.name) };
}

/** How IAM principals map in: kube-system/aws-auth and EKS access configuration, as the run read them. */
export interface IdentityMaps {
  readonly awsAuth: ConfigMapObject | undefined;
  readonly eks: EksAccessConfig | undefined;
}

/** A run's IAM mappings; runs saved before they had their own row are read from the snapshot. */
export async function identityMapsOf(store: Store, runId: string): Promise<IdentityMaps> {
  const row = await store.db
    .selectFrom('sync_identity_maps')
    .selectAll()
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (!row) {
    const read = await loadSyncSnapshot(store, runId);
    return { awsAuth: read.awsAuth, eks: read.eks };
  }
  return {
    awsAuth: row.aws_auth ? (JSON.parse(row.aws_auth) as ConfigMapObject) : undefined,
    eks: row.eks ? (JSON.parse(row.eks) as EksAccessConfig) : undefined,
  };
}
