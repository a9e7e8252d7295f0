import { AppError } from '../errors.js';
import { type AwsAuth, aggregateClusterRoles, parseAwsAuth, RbacIndex } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { readManifests } from './manifests.js';
import type { ClusterRead } from './read-cluster.js';
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

/** The latest sync of a cluster, or a given run. */
export async function syncSource(store: Store, cluster: string, runId?: string): Promise<RbacSource> {
  const run = runId
    ? await findSyncRun(store, runId, cluster)
    : (await listSyncRuns(store, cluster, 1, { usableOnly: true }))[0];
  if (!run) {
    throw new AppError('not-found', `no usable sync of cluster "${cluster}" yet`, {
      fix: `Run \`gatehouse rbac sync --context ${cluster}\` first, or analyse manifests offline with -f DIR`,
    });
  }
  const read = await loadSyncSnapshot(store, run.id);
  return sourceFrom(read, `sync ${run.id.slice(0, 8)} of ${run.cluster} at ${run.finishedAt}`, {
    offline: false,
    run,
  });
}

/** Warnings a user must see: what was not read, and which bindings grant nothing. */
export function sourceWarnings(source: RbacSource): string[] {
  return [
    ...source.read.errors.map((error) => `incomplete: ${error.message}`),
    ...(source.awsAuth?.problems ?? []).map(
      (problem) =>
        `aws-auth ${problem.key}${problem.line ? ` line ${problem.line}` : ''}: ${problem.message}`,
    ),
  ];
}
