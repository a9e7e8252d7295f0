export { readManifests } from './manifests.js';
export {
  type ClusterRead,
  type ConfigMapObject,
  type EksAccessConfig,
  type EksAccessPort,
  type NamespaceObject,
  type PodObject,
  type ReadError,
  rbacResources,
  readCluster,
  type ServiceAccountObject,
} from './read-cluster.js';
export { type RoleTarget, targetsOf } from './role-targets.js';
export { resourceKeys } from './rule-keys.js';
export { diffRuns, type RunDiff } from './run-diff.js';
export { type RiskQuery, riskMatches, type StoredRisks, storedRisks } from './run-risks.js';
export {
  type IdentityMaps,
  identityMapsOf,
  type PodsOfServiceAccount,
  podsRunningAs,
} from './run-sides.js';
export { type QueryScope, type ScopedSource, scopedSource } from './scoped-source.js';
export {
  chosenRun,
  manifestSource,
  type RbacSource,
  runLabel,
  runWarnings,
  sourceFrom,
  sourceWarnings,
  syncSource,
  type UserSource,
  userSource,
} from './source.js';
export { indexedRunsKept } from './subject-index.js';
export { syncCluster } from './sync.js';
export {
  countsOf,
  findSyncRun,
  listSyncedClusters,
  listSyncRuns,
  loadSyncSnapshot,
  type SyncRun,
  type SyncStatus,
  saveSyncRun,
} from './sync-runs.js';
