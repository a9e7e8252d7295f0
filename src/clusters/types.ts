import type { KubeConfig } from '@kubernetes/client-node';
import type { AppError } from '../errors.js';
import type { EksAccessConfig } from '../inventory/index.js';
import type { AccessEntry } from '../rbac/index.js';

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
  /** Where a cloud cluster lives: AWS account + region, Azure subscription + resource group, GCP project + location. */
  readonly location?: Readonly<Record<string, string>>;
}

/** Partial failure is a value: what a provider listed, and what it could not. */
export interface ClusterListing {
  readonly clusters: readonly ClusterRef[];
  readonly errors: readonly { readonly source: string; readonly message: string }[];
}

/** How a cluster's API server can be reached and how it authenticates, as its provider reports it. */
export interface ClusterDescription {
  readonly cluster: ClusterRef;
  /** Kubernetes version as the provider reports it (e.g. "1.31"), when it does. */
  readonly version?: string;
  readonly endpoint: string;
  /** Absent when the provider cannot tell (a kubeconfig only has a URL). */
  readonly endpointAccess?: { readonly public: boolean; readonly private: boolean };
  /**
   * EKS: CONFIG_MAP | API_AND_CONFIG_MAP | API; AKS: local | azure-rbac | aad; GKE: iam;
   * kubeconfig: the kubeconfig user's method (token, client-certificate, exec, …).
   */
  readonly authMode?: string;
  readonly status?: string;
}

/**
 * The required surface of a cluster provider. Cloud providers add optional capability ports
 * beside it (see {@link EksAccessEntriesPort}, {@link RunCommandPort}); callers test for them.
 */
export interface ClusterProvider {
  readonly kind: string;
  listClusters(): Promise<ClusterListing>;
  /** A client config for the cluster, with credentials that are fresh at return. */
  connect(cluster: ClusterRef): Promise<KubeConfig>;
  describe(cluster: ClusterRef): Promise<ClusterDescription>;
  /** Optional: EKS access entries of a cluster. */
  readonly accessEntries?: (cluster: ClusterRef) => EksAccessEntriesPort;
  /** Optional: restates a failure against the cluster in the cloud's terms (unmapped IAM role, private endpoint). */
  readonly explainFailure?: (cluster: ClusterRef, error: AppError) => Promise<AppError>;
  /** Optional: run a command inside a private cluster through the cloud API (AKS command invoke). */
  readonly runCommand?: (cluster: ClusterRef) => RunCommandPort;
}

/** EKS access entries: read for inventory, write for provisioning (issue: JIT on EKS). */
export interface EksAccessEntriesPort {
  accessConfig(): Promise<EksAccessConfig>;
  /** One principal's entry with its associated policies; undefined when it has none. */
  accessEntry(principalArn: string): Promise<AccessEntry | undefined>;
  createAccessEntry(entry: {
    readonly principalArn: string;
    readonly username?: string;
    readonly kubernetesGroups?: readonly string[];
    readonly type?: string;
  }): Promise<AccessEntry>;
  deleteAccessEntry(principalArn: string): Promise<void>;
  associateAccessPolicy(input: {
    readonly principalArn: string;
    readonly policyArn: string;
    readonly accessScope: { readonly type: 'cluster' | 'namespace'; readonly namespaces?: readonly string[] };
  }): Promise<void>;
  disassociateAccessPolicy(input: {
    readonly principalArn: string;
    readonly policyArn: string;
  }): Promise<void>;
}

/** A command run in the cluster by the cloud control plane (AKS: a pod in namespace aks-command). */
export interface RunCommandPort {
  run(input: {
    readonly command: string;
    readonly files?: Readonly<Record<string, Uint8Array>>;
    readonly timeoutMs?: number;
  }): Promise<{
    readonly exitCode: number;
    readonly logs: string;
  }>;
}
