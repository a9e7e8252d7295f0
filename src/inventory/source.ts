import { AppError } from '../errors.js';
import { type AwsAuth, aggregateClusterRoles, parseAwsAuth, RbacIndex } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { readManifests } from './manifests.js';
import type { ClusterRead } from './read-cluster.js';
import { identityMapsOf } from './run-sides.js';
import { subjectIndex } from './subject-index.js';
import { findSyncRun, listSyncRuns, loadSyncSnapshot, type SyncRun } from './sync-runs.js';

/** The RBAC data a query runs on: a stored sync, or manifests on disk. */
export interface RbacSource {
  readonly read: ClusterRead;
  /** What it is, for output: `sync 1a2b3c4d of prod at …` or `manifests in ./rbac`. */
  readonly label: string;
  readonly run?: SyncRun;
  readonly index: RbacIndex;
  readonly awsAuth: AwsAuth | undefined;
}

/** Builds the engine's index; aggregated ClusterRoles are recomputed for manifests only. */
export function sourceFrom(
  read: ClusterRead,
  label: string,
  options: { offline: boolean; run?: SyncRun },
): RbacSource {
  const clusterRoles = options.offline ? aggregateClusterRoles(read.clusterRoles) : read.clusterRoles;
  const index = new RbacIndex({
    roles: read.roles,
    clusterRoles,
    roleBindings: read.roleBindings,
    clusterRoleBindings: read.clusterRoleBindings,
  });
  const awsAuth = read.awsAuth?.data ? parseAwsAuth(read.awsAuth.data) : undefined;
  return { read, label, index, awsAuth, ...(options.run ? { run: options.run } : {}) };
}

export function manifestSource(dir: string): RbacSource {
  return sourceFrom(readManifests(dir), `manifests in ${dir}`, { offline: true });
}

export async function chosenRun(store: Store, cluster: string, runId?: string): Promise<SyncRun> {
  const run = runId
    ? await findSyncRun(store, runId, cluster)
    : (await listSyncRuns(store, cluster, 1, { usableOnly: true }))[0];
  if (!run) {
    throw new AppError('not-found', `no usable sync of cluster "${cluster}" yet`, {
      fix: `Run \`gatehouse rbac sync --context ${cluster}\` first, or analyse manifests offline with -f DIR`,
    });
  }
  return run;
}

export const runLabel = (run: SyncRun) => `sync ${run.id.slice(0, 8)} of ${run.cluster} at ${run.finishedAt}`;

/** The latest sync of a cluster, or a given run. */
export async function syncSource(store: Store, cluster: string, runId?: string): Promise<RbacSource> {
  const run = await chosenRun(store, cluster, runId);
  const read = await loadSyncSnapshot(store, run.id);
  return sourceFrom(read, runLabel(run), { offline: false, run });
}

/** What one user's questions run on: an index of that user's grants only. */
export interface UserSource {
  readonly index: RbacIndex;
  readonly label: string;
  readonly run: SyncRun;
  /** What the sync could not read, so an answer may be incomplete. */
  readonly warnings: readonly string[];
}

/**
 * For questions about one user (can-i): the grants of that user, its groups and service account
 * in the latest sync (or a given run), read by subject instead of loading the whole snapshot. Runs
 * synced before the subject index existed, or past the newest few, load whole.
 */
export async function userSource(
  store: Store,
  cluster: string,
  user: { readonly name: string; readonly groups: readonly string[] },
  runId?: string,
): Promise<UserSource> {
  const run = await chosenRun(store, cluster, runId);
  const warnings = run.errors.map((error) => `incomplete: ${error.message}`);
  const index =
    (await subjectIndex(store, run.id, user)) ??
    sourceFrom(await loadSyncSnapshot(store, run.id), '', { offline: false }).index;
  return { index, label: runLabel(run), run, warnings };
}

/** Warnings a user must see: what was not read, and which bindings grant nothing. */
export function sourceWarnings(
  source: Pick<RbacSource, 'awsAuth'> & { read: Pick<ClusterRead, 'errors'> },
): string[] {
  return warningsOf(source.read.errors, source.awsAuth);
}

export function warningsOf(errors: ClusterRead['errors'], awsAuth: AwsAuth | undefined): string[] {
  return [
    ...errors.map((error) => `incomplete: ${error.message}`),
    ...(awsAuth?.problems ?? []).map(
      (problem) =>
        `aws-auth ${problem.key}${problem.line ? ` line ${problem.line}` : ''}: ${problem.message}`,
    ),
  ];
}

/** A stored run's warnings, read from its rows (its errors and its aws-auth), not its snapshot. */
export async function runWarnings(store: Store, run: SyncRun): Promise<string[]> {
  const maps = await identityMapsOf(store, run.id);
  return warningsOf(run.errors, maps.awsAuth?.data ? parseAwsAuth(maps.awsAuth.data) : undefined);
}
