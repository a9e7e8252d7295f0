import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { type EksAccessPort, rbacResources, readCluster } from './read-cluster.js';
import { countsOf, type SyncRun, saveSyncRun } from './sync-runs.js';

/**
 * Reads a cluster and stores the run: `succeeded` when everything was read, `partial` when some
 * lists failed (each named in `errors`), `failed` when nothing RBAC could be read.
 *
 * @example
 * const run = await syncCluster(store, client);
 * run.counts.roleBindings; run.errors;
 */
export async function syncCluster(
  store: Store,
  client: KubeClient,
  options: { now?: () => Date; eks?: EksAccessPort } = {},
): Promise<SyncRun> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const read = await readCluster(client, options.eks ? { eks: options.eks } : {});
  const rbacFailures = read.errors.filter((error) => rbacResources.has(error.resource)).length;
  const status =
    read.errors.length === 0 ? 'succeeded' : rbacFailures === rbacResources.size ? 'failed' : 'partial';
  return await saveSyncRun(
    store,
    {
      cluster: client.context,
      server: client.server,
      startedAt,
      finishedAt: now().toISOString(),
      status,
      counts: countsOf(read),
      resourceVersions: read.resourceVersions,
      errors: read.errors,
    },
    read,
  );
}
