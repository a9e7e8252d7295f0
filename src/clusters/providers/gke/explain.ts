import { AppError } from '../../../errors.js';
import type { GkeClusterDescription } from './cluster.js';

/**
 * Why a GKE control plane did not answer, when the cluster's own configuration explains it: an
 * endpoint that is private only, or a public one behind authorized networks. Otherwise the
 * original error stands. Pure, so it is tested on recorded clusters.
 */
export function explainUnreachable(description: GkeClusterDescription, error: AppError): AppError {
  const { endpoints, cluster } = description;
  const location = cluster.location ?? {};
  const name = cluster.name.split('/').at(-1) ?? cluster.name;
  const where = `--project ${location.project} --location ${location.location}`;
  const details = { ...error.details, cluster: cluster.name };
  if (endpoints.private && !endpoints.public)
    return new AppError(
      'cluster.unreachable',
      `${cluster.name} has only a private control plane endpoint (${endpoints.private}), which this machine cannot reach: ${error.message}`,
      {
        cause: error,
        details: { ...details, endpoint: endpoints.private },
        // Opening a public endpoint would undo a deliberate hardening, so the fix is a network path.
        fix: "Run Gatehouse from a network that reaches the cluster's VPC: a VM or pod in that VPC, a peered network, a VPN or Interconnect, or a bastion",
      },
    );
  if (endpoints.public && endpoints.authorizedNetworks)
    return new AppError(
      'cluster.unreachable',
      `${cluster.name} accepts connections only from its authorized networks: ${error.message}`,
      {
        cause: error,
        details: { ...details, endpoint: endpoints.public },
        fix: `Add this machine's public IP to the cluster's authorized networks (\`gcloud container clusters update ${name} ${where} --master-authorized-networks <existing CIDRs>,<your IP>/32\`)`,
      },
    );
  return error;
}
