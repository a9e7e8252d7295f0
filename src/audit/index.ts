export { type Attestation, attest, attestationHolds, entryHolds, parseAttestation } from './attestation.js';
export {
  type AuditEvent,
  type AuditedTransaction,
  type AuditInput,
  type AuditOutcome,
  type AuditQuery,
  appendAudit,
  auditedTransaction,
  canonicalJson,
  listAudit,
} from './audit-log.js';
export { type AuditSearch, recentAudit } from './audit-search.js';
export {
  type Checkpoint,
  type CheckpointSink,
  fileCheckpoints,
  parseCheckpoint,
  readCheckpointFile,
} from './checkpoint.js';
export { type AuditSigner, keyIdOf, publicKeyPem, readPublicKey, signerOf } from './keys.js';
export { type RotationOptions, rotateAuditKey, trustedKeys } from './rotation.js';
export { type AuditedWork, audited } from './session.js';
export {
  type ChainProblem,
  type ChainReport,
  localPublicKey,
  type VerifyOptions,
  verifyAudit,
} from './verify.js';
