export { type ClusterStatus, probeClusters } from './probe.js';
export { KubeconfigProvider } from './providers/kubeconfig/index.js';
export type { ClusterListing, ClusterProvider, ClusterRef } from './types.js';
