export type AcquisitionMethod = 'exec' | 'ephemeral' | 'volume';

export type ItemStatus = 'collected' | 'partial' | 'metadata-only' | 'unavailable';

/** One entry of a package manifest. */
export interface ManifestItem {
  /** Path inside the package ('' for metadata-only entries). */
  readonly path: string;
  /** Where it came from: a container path, `command <id>`, or `api <what>`. */
  readonly source: string;
  readonly artifact: string;
  readonly method: AcquisitionMethod | 'api';
  readonly type:
    | 'file'
    | 'output'
    | 'api'
    | 'directory'
    | 'symlink'
    | 'hardlink'
    | 'device'
    | 'fifo'
    | 'unknown';
  readonly status: ItemStatus;
  readonly sha256: string;
  readonly size: number;
  readonly mtime?: string | undefined;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly linkTarget?: string;
  /** Why the item is not stored as collected: a fallback name, a failed write (hostile input). */
  readonly anomaly?: string;
}

/** Who acquired what, how, when, and what went wrong: the chain-of-custody record. */
export type CustodyRecord = ClusterCustodyRecord | VolumeCustodyRecord;

/** What both kinds of acquisition record. */
interface CustodyCommon {
  readonly packageId: string;
  readonly operator: string;
  /** The container; from the API server for cluster acquisitions, from its labels on a volume ('' when unknown). */
  readonly target: {
    readonly namespace: string;
    readonly pod: string;
    readonly podUid: string;
    readonly container: string;
    readonly containerId: string;
    readonly node: string;
    readonly image: string;
    readonly imageDigest: string;
  };
  readonly gatehouseVersion: string;
  readonly collector: { readonly profile: string; readonly sha256: string };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly bytesReceived: number;
  readonly errors: readonly string[];
  readonly partialItems: readonly string[];
  readonly storage?: {
    readonly kind: 's3';
    readonly bucket: string;
    /** Key prefix ('' for none): verify uses exactly this, not the current environment. */
    readonly prefix: string;
    readonly objects: readonly { key: string; etag: string }[];
  };
}

/** An acquisition from a running container through the cluster (exec or an ephemeral container). */
export interface ClusterCustodyRecord extends CustodyCommon {
  readonly method: 'exec' | 'ephemeral';
  /** The Kubernetes identity the API server saw (SelfSubjectReview). */
  readonly kubernetesIdentity: { readonly username: string; readonly groups: readonly string[] } | undefined;
  readonly cluster: { readonly context: string; readonly server: string };
  /** How the API server was reached when not directly over HTTPS, e.g. "AKS run command" (private clusters). */
  readonly transport?: string;
  /** The debug container added for the ephemeral method (it stays in the pod spec). */
  readonly ephemeralContainer?: { readonly name: string; readonly image: string };
}

/** An acquisition read from a node's disk mounted read-only: the volume and the layers read. */
export interface VolumeCustodyRecord extends CustodyCommon {
  readonly method: 'volume';
  readonly volume: {
    /** Where the volume was mounted when it was read. */
    readonly root: string;
    readonly runtime: 'containerd' | 'docker';
    /** containerd namespace (`k8s.io`); '' for Docker. */
    readonly runtimeNamespace: string;
    readonly snapshotter: string;
    readonly snapshotId: string;
    /** Layer directories relative to the root: the upper one, then the lowers top first. */
    readonly upper: string;
    readonly lowers: readonly string[];
  };
}
