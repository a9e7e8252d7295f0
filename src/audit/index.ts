export {
  type AuditEvent,
  type AuditInput,
  type AuditOutcome,
  type AuditQuery,
  appendAudit,
  canonicalJson,
  listAudit,
} from './audit-log.js';
export { type AuditedWork, audited } from './session.js';
export { type ChainProblem, type ChainReport, verifyAudit } from './verify.js';
