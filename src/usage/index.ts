// Usage evidence from the Kubernetes API audit log: who used which permission, and when last.
//
// For access reviews:
// - `usageOf(store, { cluster, subject, since, until? })` → `UsageAnswer`: the permissions a user,
//   group, ServiceAccount or IAM ARN used in the window (with first/last use and a count), or
//   `{ kind: 'unknown', reason }` when no ingested log of the cluster covers the window.
// - `unusedGrants(role.rules, answer, { namespace? })` → `GrantUsage`: the rules that were used
//   and those that were not (revoke candidates); `unknown` passes through.
// - `smallerRole(role.rules, answer.permissions, { namespace? })` → `PolicyRule[]`: the least
//   rules covering what was used, never beyond the role.
// - `usageOfMany(store, { cluster, subjects, since })`: the same for many subjects in a few queries.
// For the doors: `ingestAuditLog(store, { cluster, path, actor })` and `listIngestions`.

export type { ApiUse, AuditIdentity, LineOutcome, Permission, SkipReason } from './audit-event.js';
export { parseAuditLine } from './audit-event.js';
export { type GrantScope, type GrantUsage, type RuleUsage, ruleAllows, unusedGrants } from './grants.js';
export { type IngestOptions, type IngestProgress, ingestAuditLog } from './ingest.js';
export {
  type FileResult,
  type IngestionSummary,
  type IngestResult,
  listIngestions,
  type MalformedLine,
} from './ingestion-runs.js';
export { smallerRole } from './smaller-role.js';
export type { SubjectKey } from './usage-batch.js';
export { type UsageManyQuery, usageOfMany } from './usage-many.js';
export {
  subjectKeyOf,
  type UsageAnswer,
  type UsageEvidence,
  type UsageQuery,
  type UsedPermission,
  usageOf,
  type WindowUsage,
} from './usage-of.js';
export type { RunCounts } from './usage-store.js';
