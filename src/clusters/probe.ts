import { AppError, type ErrorCode, isAppError, messageOf } from '../errors.js';
import { getServerVersion, KubeClient } from '../kube/index.js';
import type { ClusterProvider, ClusterRef } from './types.js';

export interface ClusterStatus {
  readonly cluster: ClusterRef;
  readonly reachable: boolean;
  readonly version?: string;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  /** For a cluster reached through its agent: whether the agent is connected, and since when. */
  readonly agent?: { readonly state: string; readonly since?: string };
}

/** A client for a provider's cluster whose failures the provider explains in its own terms. */
export async function connectClient(
  provider: ClusterProvider,
  cluster: ClusterRef,
  options: { readonly timeoutMs?: number } = {},
): Promise<KubeClient> {
  const explain = provider.explainFailure;
  return new KubeClient(await provider.connect(cluster), {
    ...options,
    ...(explain ? { explain: (error: AppError) => explain.call(provider, cluster, error) } : {}),
  });
}

/**
 * Checks every cluster in parallel with a short timeout. A cluster that answers 401/403 on
 * /version is reachable; its credentials are the problem, and the error says so.
 */
export async function probeClusters(
  clusters: readonly { readonly provider: ClusterProvider; readonly ref: ClusterRef }[],
  options: { readonly timeoutMs?: number } = {},
): Promise<ClusterStatus[]> {
  return await Promise.all(
    clusters.map(({ provider, ref }) => probeCluster(provider, ref, options.timeoutMs ?? 3000)),
  );
}

async function probeCluster(
  provider: ClusterProvider,
  cluster: ClusterRef,
  timeoutMs: number,
): Promise<ClusterStatus> {
  try {
    const client = await connectClient(provider, cluster, { timeoutMs });
    const version = await getServerVersion(client);
    return { cluster, reachable: true, version: version.gitVersion };
  } catch (error) {
    const appError = isAppError(error) ? error : new AppError('internal', messageOf(error), { cause: error });
    const answered = appError.code === 'auth.unauthorized' || appError.code === 'auth.forbidden';
    return { cluster, reachable: answered, error: { code: appError.code, message: appError.describe() } };
  }
}
