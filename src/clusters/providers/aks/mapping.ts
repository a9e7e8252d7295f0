import type { ManagedCluster } from '@azure/arm-containerservice';
import { AppError } from '../../../errors.js';
import type { ClusterDescription, ClusterRef } from '../../types.js';

/** Where an AKS cluster lives in ARM: what every management call needs. */
export interface AksLocation {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly cluster: string;
}

/** How the API server authenticates users: local accounts only, Entra ID, or Entra ID with Azure RBAC. */
export type AksAuthMode = 'local' | 'aad' | 'azure-rbac';

/** `/subscriptions/<id>/resourcegroups/<rg>/providers/...` → `<rg>` (ARM lower-cases the segment name at will). */
export function resourceGroupOf(id: string): string {
  return /\/resourcegroups\/([^/]+)/i.exec(id)?.[1] ?? '';
}

/** The cluster ref Gatehouse lists for a managed cluster of a subscription. */
export function toClusterRef(subscription: string, cluster: ManagedCluster): ClusterRef {
  const resourceGroup = resourceGroupOf(cluster.id ?? '');
  const host = cluster.fqdn ?? cluster.privateFqdn;
  return {
    name: `aks/${subscription}/${resourceGroup}/${cluster.name}`,
    provider: 'aks',
    server: host ? `https://${host}` : '',
    current: false,
    location: { subscription, resourceGroup, region: cluster.location },
  };
}

/** The ARM coordinates of a ref named `aks/<subscription>/<resourceGroup>/<cluster>`. */
export function locate(ref: ClusterRef): AksLocation {
  const [kind, subscription, resourceGroup, cluster, ...rest] = ref.name.split('/');
  if (kind !== 'aks' || !subscription || !resourceGroup || !cluster || rest.length > 0)
    throw new AppError('input.invalid', `${ref.name} is not an AKS cluster listed by Gatehouse`, {
      fix: 'Pick a cluster from gatehouse clusters list (AKS names read aks/<subscription>/<resource group>/<cluster>)',
    });
  return { subscription, resourceGroup, cluster };
}

export function authModeOf(cluster: ManagedCluster): AksAuthMode {
  if (cluster.aadProfile?.enableAzureRbac) return 'azure-rbac';
  return cluster.aadProfile?.managed ? 'aad' : 'local';
}

/**
 * A private cluster's API server has only a private IP. Its optional public FQDN is a public DNS
 * name for that private IP, so it does not make the server reachable from outside the network.
 * API server VNet integration adds a private address to a public cluster.
 */
export function endpointAccessOf(cluster: ManagedCluster): { public: boolean; private: boolean } {
  const access = cluster.apiServerAccessProfile;
  const privateCluster = access?.enablePrivateCluster === true;
  return { public: !privateCluster, private: privateCluster || access?.enableVnetIntegration === true };
}

/** `Running`, or `Running (Updating)` while ARM changes the cluster. */
function statusOf(cluster: ManagedCluster): string | undefined {
  const power = cluster.powerState?.code;
  const provisioning = cluster.provisioningState;
  if (provisioning && provisioning !== 'Succeeded')
    return power ? `${power} (${provisioning})` : provisioning;
  return power ?? provisioning;
}

/** What describe() reports, from the ARM managed cluster document alone. */
export function toDescription(subscription: string, cluster: ManagedCluster): ClusterDescription {
  const ref = toClusterRef(subscription, cluster);
  const version = cluster.currentKubernetesVersion ?? cluster.kubernetesVersion;
  const status = statusOf(cluster);
  return {
    cluster: ref,
    ...(version ? { version } : {}),
    endpoint: ref.server,
    endpointAccess: endpointAccessOf(cluster),
    authMode: authModeOf(cluster),
    ...(status ? { status } : {}),
  };
}
