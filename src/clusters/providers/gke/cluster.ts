import type { protos } from '@google-cloud/container';
import { AppError } from '../../../errors.js';
import type { ClusterDescription, ClusterRef } from '../../types.js';

/** A GKE cluster as the v1 API returns it (REST JSON decoded by the SDK). */
export type GkeCluster = protos.google.container.v1.ICluster;

/** The addresses a GKE control plane answers on; each is absent when the cluster has none. */
export interface GkeEndpoints {
  readonly public?: string;
  readonly private?: string;
  /** The DNS-based endpoint (`gke-….gke.goog`), reached through Google's front end with IAM. */
  readonly dns?: string;
  readonly dnsAllowsExternalTraffic: boolean;
  /** Master authorized networks restrict who may reach the IP endpoints. */
  readonly authorizedNetworks: boolean;
}

/** What `describe` says of a GKE cluster: the common description plus every endpoint it has. */
export interface GkeClusterDescription extends ClusterDescription {
  readonly endpoints: GkeEndpoints;
}

// The SDK fills absent proto3 strings with "" and absent messages with null; both mean "not set".
const text = (value: string | null | undefined): string | undefined => value || undefined;

/** `gke/<project>/<location>/<name>`: unique across projects, and stable for the registry. */
export function clusterRef(project: string, cluster: GkeCluster): ClusterRef {
  const location = cluster.location ?? cluster.zone ?? '';
  return {
    name: `gke/${project}/${location}/${cluster.name}`,
    provider: 'gke',
    server: serverOf(cluster),
    current: false,
    location: { project, location },
  };
}

/** The project, location and cluster name of a ref this provider listed. */
export function locate(ref: ClusterRef): { project: string; location: string; name: string } {
  const [kind, project, location, name, ...rest] = ref.name.split('/');
  if (kind !== 'gke' || !project || !location || !name || rest.length > 0)
    throw new AppError('input.invalid', `${ref.name} is not a GKE cluster listed by Gatehouse`, {
      fix: 'Pick a cluster named gke/<project>/<location>/<name> from gatehouse clusters list',
    });
  return { project: ref.location?.project ?? project, location: ref.location?.location ?? location, name };
}

/**
 * The URL Gatehouse uses: the default endpoint, which GKE sets to the private address when the
 * public one is disabled; the private address only when that is all the API reports.
 */
export function serverOf(cluster: GkeCluster): string {
  const endpoints = endpointsOf(cluster);
  const host = text(cluster.endpoint) ?? endpoints.public ?? endpoints.private;
  return host ? `https://${host}` : '';
}

/**
 * Newer clusters describe their endpoints in controlPlaneEndpointsConfig; older ones only in
 * privateClusterConfig. The newer block wins where both speak.
 */
export function endpointsOf(cluster: GkeCluster): GkeEndpoints {
  const ip = cluster.controlPlaneEndpointsConfig?.ipEndpointsConfig;
  const dns = cluster.controlPlaneEndpointsConfig?.dnsEndpointConfig;
  const legacy = cluster.privateClusterConfig;
  const privateCluster = Boolean(legacy?.enablePrivateNodes || legacy?.enablePrivateEndpoint);
  const ipEnabled = ip ? ip.enabled !== false : true;
  const publicEnabled = ip?.enablePublicEndpoint ?? !legacy?.enablePrivateEndpoint;
  const publicAddress =
    text(ip?.publicEndpoint) ??
    text(legacy?.publicEndpoint) ??
    (privateCluster ? undefined : text(cluster.endpoint));
  const privateAddress = text(ip?.privateEndpoint) ?? text(legacy?.privateEndpoint);
  const dnsEndpoint = text(dns?.endpoint);
  return {
    ...(ipEnabled && publicEnabled && publicAddress ? { public: publicAddress } : {}),
    ...(ipEnabled && privateAddress ? { private: privateAddress } : {}),
    ...(dnsEndpoint ? { dns: dnsEndpoint } : {}),
    dnsAllowsExternalTraffic: dns?.allowExternalTraffic === true,
    authorizedNetworks: Boolean(
      ip?.authorizedNetworksConfig?.enabled ?? cluster.masterAuthorizedNetworksConfig?.enabled,
    ),
  };
}

/**
 * GKE always authenticates Google identities (IAM); legacy ABAC and client certificates are
 * older, weaker paths a security review must see, so they are appended.
 */
export function authModeOf(cluster: GkeCluster): string {
  const modes = ['iam'];
  if (cluster.legacyAbac?.enabled) modes.push('legacy-abac');
  const auth = cluster.masterAuth;
  if (text(auth?.clientCertificate) || auth?.clientCertificateConfig?.issueClientCertificate)
    modes.push('client-certificate');
  return modes.join('+');
}

/** The description of a cluster from one GetCluster answer; pure, so it is tested on recorded JSON. */
export function describeCluster(project: string, cluster: GkeCluster): GkeClusterDescription {
  const endpoints = endpointsOf(cluster);
  const version = text(cluster.currentMasterVersion);
  const status = cluster.status === null || cluster.status === undefined ? undefined : String(cluster.status);
  return {
    cluster: clusterRef(project, cluster),
    ...(version ? { version } : {}),
    endpoint: serverOf(cluster),
    endpointAccess: { public: endpoints.public !== undefined, private: endpoints.private !== undefined },
    authMode: authModeOf(cluster),
    ...(status ? { status } : {}),
    endpoints,
  };
}
