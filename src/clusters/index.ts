export { type ClusterStatus, probeClusters } from './probe.js';
export { KubeconfigProvider } from './providers/kubeconfig/index.js';
export type {
  ClusterDescription,
  ClusterListing,
  ClusterProvider,
  ClusterRef,
  EksAccessEntriesPort,
  RunCommandPort,
} from './types.js';
