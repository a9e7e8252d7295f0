export { type AcquireOptions, type Acquisition, acquireContainer } from './acquire.js';
export { type AuditedAcquireOptions, acquireAudited, targetLabel } from './acquire-audited.js';
export { buildCollector, type CollectorScript } from './collectors/script.js';
export { CollectorStreamParser, type SectionKind, type StreamSink } from './collectors/stream-parser.js';
export { hasShell, probeShell } from './debug-container.js';
export { type Anchor, type AnchorSources, packageAnchors } from './evidence/anchors.js';
export { packageSubject, signSealedPackage } from './evidence/attestation.js';
export {
  createPackageDir,
  sealFiles,
  sealPackage,
  sha256,
  signatureFile,
  type VerifyProblem,
  type VerifyReport,
  verifyPackage,
  writeManifest,
} from './evidence/package.js';
export { containedPath, printable } from './evidence/paths.js';
export {
  pushCheckpoint,
  type RemoteProblem,
  type S3Target,
  type StoredObject,
  s3Checkpoints,
  uploadPackageFiles,
  verifyRemote,
} from './evidence/s3.js';
export { extractPackageTar } from './evidence/tar-read.js';
export type {
  AcquisitionMethod,
  ClusterCustodyRecord,
  CustodyRecord,
  ManifestItem,
  VolumeCustodyRecord,
} from './evidence/types.js';
export { EvidenceWriter } from './evidence/writer.js';
export {
  createJob,
  defaultJobLimits,
  finishJob,
  type Job,
  type JobLimits,
  type JobRow,
  jobChannel,
  readJob,
  renewJobs,
  staleAfterMs,
  sweepStale,
  writeRow,
} from './jobs/index.js';
export {
  assertPreflight,
  describePermission,
  type Permission,
  preflight,
  requiredPermissions,
} from './preflight.js';
export {
  findIndicators,
  type Indicator,
  type IndicatorSeverity,
  indicatorRules,
  sortIndicators,
} from './processing/indicators.js';
export {
  type BodyfileEntry,
  bodyfileLine,
  type ProcessInfo,
  parseConnections,
  parseProcesses,
  parseStatLines,
  toBodyfile,
} from './processing/parse.js';
export {
  buildTimeline,
  factsOf,
  type OpenPackage,
  openPackage,
  type TimelineEvent,
  timelineCsvHeader,
  timelineCsvLine,
  timesketchLine,
  toTimelineCsv,
  toTimesketchJsonl,
} from './processing/triage.js';
export { loadYaraRules, scanWithYara, type YaraRules, type YaraScan } from './processing/yara.js';
export { type Artifact, defaultProfile, loadProfile, type Profile } from './profile.js';
export { isShellless, listTargets, type MethodName, systemNamespaces, type Target } from './targets.js';
export * from './view/index.js';
