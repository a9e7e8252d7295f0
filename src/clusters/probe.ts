import { AppError, type ErrorCode, isAppError, messageOf } from '../errors.js';
import { getServerVersion, KubeClient } from '../kube/index.js';
import type { ClusterProvider, ClusterRef } from './types.js';

export interface ClusterStatus {
  readonly cluster: ClusterRef;
  readonly reachable: boolean;
  readonly version?: string;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/**
 * Checks every cluster in parallel with a short timeout. A cluster that answers 401/403 on
 * /version is reachable; its credentials are the problem, and the error says so.
 */
export async function probeClusters(
  provider: ClusterProvider,
  clusters: readonly ClusterRef[],
  options: { readonly timeoutMs?: number } = {},
): Promise<ClusterStatus[]> {
  return await Promise.all(
    clusters.map((cluster) => probeCluster(provider, cluster, options.timeoutMs ?? 3000)),
  );
}

async function probeCluster(
  provider: ClusterProvider,
  cluster: ClusterRef,
  timeoutMs: number,
): Promise<ClusterStatus> {
  try {
    const client = new KubeClient(await provider.connect(cluster), { timeoutMs });
    const version = await getServerVersion(client);
    return { cluster, reachable: true, version: version.gitVersion };
  } catch (error) {
    const appError = isAppError(error) ? error : new AppError('internal', messageOf(error), { cause: error });
    const answered = appError.code === 'auth.unauthorized' || appError.code === 'auth.forbidden';
    return { cluster, reachable: answered, error: { code: appError.code, message: appError.describe() } };
  }
}
