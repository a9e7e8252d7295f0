// Node-volume forensics: containers read from a node's disk without running anything on it.

export { acquireFromVolume, type VolumeAcquireOptions } from './acquire-volume.js';
export { type BoltBucket, type BoltDatabase, type BoltEntry, openBolt } from './bbolt.js';
export { type ContainerFilesystem, containerFilesystem } from './container-view.js';
export type { EntryType, LayerEntry, LayerListing } from './layer-scan.js';
export { listVolumeContainers } from './list.js';
export {
  type Change,
  type ChangeKind,
  containerChanges,
  type FileView,
  mergeLayers,
  type ViewEntry,
} from './overlay-view.js';
export { selectContainer } from './select.js';
export type {
  KubernetesIdentity,
  Layers,
  SnapshotKind,
  VolumeContainer,
  VolumeListing,
  VolumeProblem,
} from './types.js';
export { layerDirs, type Resolved, readViewFile, resolveInView } from './view-files.js';
export { globPattern, type Selection, selectInView } from './view-select.js';
