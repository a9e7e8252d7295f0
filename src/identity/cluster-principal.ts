import { type ClusterConnections, isProviderClusterName } from '../clusters/index.js';
import { AppError } from '../errors.js';
import { whoAmI } from '../kube/index.js';
import { localPrincipal, type Principal } from './principal.js';

/**
 * The CLI's authenticator: the person as the cluster authenticates their own kubeconfig
 * credentials (SelfSubjectReview), never a flag. They open the store themselves, so they are a
 * local principal, named and grouped as the cluster knows them so that flows judge them as such.
 *
 * @example
 * const principal = await clusterPrincipal(gatehouse.clusters, gatehouse.currentCluster());
 */
export async function clusterPrincipal(
  clusters: Pick<ClusterConnections, 'client'>,
  cluster: string,
): Promise<Principal> {
  // A cloud cluster is reached with Gatehouse's own cloud identity, not the person's.
  if (isProviderClusterName(cluster))
    throw new AppError(
      'input.invalid',
      `${cluster} is reached with Gatehouse's own credentials, which cannot say who you are`,
      {
        fix: 'Act through a Gatehouse server (GATEHOUSE_SERVER and GATEHOUSE_TOKEN), or with a kubeconfig context of your own; name the cluster with --cluster',
      },
    );
  const identity = await whoAmI(await clusters.client(cluster));
  if (!identity.username)
    throw new AppError('auth.unauthorized', 'the cluster did not say who you are', {
      fix: 'Use credentials the API server authenticates (not anonymous)',
    });
  return localPrincipal({ subject: identity.username, groups: identity.groups });
}
