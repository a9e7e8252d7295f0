// Node-volume forensics: containers read from a node's disk without running anything on it.
export { type BoltBucket, type BoltDatabase, type BoltEntry, openBolt } from './bbolt.js';
export { listVolumeContainers } from './list.js';
export type {
  KubernetesIdentity,
  Layers,
  SnapshotKind,
  VolumeContainer,
  VolumeListing,
  VolumeProblem,
} from './types.js';
