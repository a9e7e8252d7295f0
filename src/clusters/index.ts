export {
  ClusterConnections,
  type ClusterConnectionsOptions,
  type ClusterTransportKind,
  reachCluster,
} from './connections.js';
export { type ClusterStatus, connectClient, probeClusters } from './probe.js';
export { KubeconfigProvider } from './providers/kubeconfig/index.js';
export {
  addProvider,
  findProviderCluster,
  isProviderClusterName,
  listProviderClusters,
  listProviders,
  openProvider,
  type ProviderEntry,
  type ProviderSettings,
  providerFactories,
  type ResolvedCluster,
  removeProvider,
  resolveProviderCluster,
} from './registry.js';
export { RunCommandTransport, shellQuote } from './run-command-transport.js';
export type {
  ClusterDescription,
  ClusterListing,
  ClusterProvider,
  ClusterRef,
  EksAccessEntriesPort,
  RunCommandPort,
} from './types.js';
