import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError, withContext } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import type { AccessMode } from './flows.js';

/** How Gatehouse reaches clusters with its own credentials: the same functions the reconciler uses. */
export interface ClusterAccess {
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
}

/** The error for access-entry access on a cluster that is not an EKS cluster of a registered account. */
export function notEksError(cluster: string): AppError {
  return new AppError(
    'input.invalid',
    `cluster ${cluster} is not an EKS cluster of a registered AWS account, so access entries cannot be granted on it`,
    { fix: 'Add the account with gatehouse providers add aws, and request on its eks/… cluster name' },
  );
}

/**
 * Resolves a request's cluster the way the reconciler will grant on it, so a cluster name
 * Gatehouse cannot act on is refused when the request is made, not found out after approval.
 */
export async function checkRequestCluster(
  access: ClusterAccess,
  cluster: string,
  mode: AccessMode,
): Promise<void> {
  try {
    if (mode === 'access-entry') {
      if (!(await access.accessEntriesFor?.(cluster))) throw notEksError(cluster);
    } else await access.clientFor(cluster);
  } catch (error) {
    throw withContext(error, `cluster ${cluster}`);
  }
}
