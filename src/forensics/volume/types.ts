/** What `gatehouse volume list` reports about one container found on a node's disk. */
export interface VolumeContainer {
  readonly runtime: 'containerd' | 'docker';
  /** containerd namespace (`k8s.io` under Kubernetes); Docker has none. */
  readonly namespace: string | undefined;
  readonly id: string;
  /** Docker's container name (without the leading slash); containerd names containers by id. */
  readonly name: string | undefined;
  readonly image: string | undefined;
  /**
   * containerd: the digest the image name pointed at (manifest or index) when listed; Docker: the
   * image ID (its config digest). Undefined when the image record is gone.
   */
  readonly imageDigest: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly kubernetes: KubernetesIdentity | undefined;
  readonly snapshotter: string | undefined;
  readonly snapshotKey: string | undefined;
  readonly createdAt: string | undefined;
  readonly command: readonly string[];
  /** What the runtime last recorded (Docker keeps it on disk; containerd keeps tasks in /run). */
  readonly state: ContainerState | undefined;
  /** The container's filesystem layers; undefined when they could not be resolved (see problems). */
  readonly layers: Layers | undefined;
}

export interface ContainerState {
  readonly running: boolean;
  readonly pid: number;
  readonly exitCode: number;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
}

/** The pod a container belongs to, from the labels the kubelet's runtime sets. */
export interface KubernetesIdentity {
  readonly pod: string | undefined;
  readonly namespace: string | undefined;
  readonly container: string | undefined;
  readonly podUid: string | undefined;
  /** `sandbox` for the pod's pause container, `container` for the others (CRI's label). */
  readonly kind: string | undefined;
}

export type SnapshotKind = 'view' | 'active' | 'committed' | 'unknown';

/**
 * Directories relative to ROOT: the writable upper dir and the lower ones, top first (for Docker
 * the first lower is the `-init` layer of runtime files, not image content).
 */
export interface Layers {
  readonly snapshotId: string;
  readonly kind: SnapshotKind;
  readonly upper: string;
  readonly lowers: readonly string[];
}

/** Something that could not be read; the listing goes on without it. */
export interface VolumeProblem {
  readonly where: string;
  readonly message: string;
}

export interface VolumeListing {
  readonly containers: readonly VolumeContainer[];
  readonly problems: readonly VolumeProblem[];
}
