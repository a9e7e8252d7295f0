import type { KubeConfig } from '@kubernetes/client-node';

/** One cluster Gatehouse can talk to, as a provider lists it. */
export interface ClusterRef {
  /** Unique name: the kubeconfig context, or `provider/account/region/name` for cloud clusters. */
  readonly name: string;
  readonly provider: string;
  readonly server: string;
  /** True for the kubeconfig's current context. */
  readonly current: boolean;
  readonly user?: string;
  readonly namespace?: string;
}

/** Partial failure is a value: what a provider listed, and what it could not. */
export interface ClusterListing {
  readonly clusters: readonly ClusterRef[];
  readonly errors: readonly { readonly source: string; readonly message: string }[];
}

/**
 * The required surface of a cluster provider. Cloud providers add optional capability ports
 * (EKS access entries, AKS run command) beside it.
 */
export interface ClusterProvider {
  readonly kind: string;
  listClusters(): Promise<ClusterListing>;
  /** A client config for the cluster, with credentials that are fresh at return. */
  connect(cluster: ClusterRef): Promise<KubeConfig>;
}
