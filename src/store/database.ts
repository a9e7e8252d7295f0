import type { Kysely } from 'kysely';
import type {
  AccessDecisionsTable,
  AccessFlowsTable,
  AccessRequestsTable,
  AwsAuthHistoryTable,
  EksAccessGrantsTable,
} from './tables/access.js';
import type { AgentsTable, ServerReplicasTable } from './tables/agents.js';
import type { AuditEventsTable } from './tables/audit.js';
import type { ClusterProvidersTable } from './tables/clusters.js';
import type {
  EvidenceVerificationsTable,
  EvidenceViewBodyfileTable,
  EvidenceViewEventsTable,
  EvidenceViewsTable,
  ForensicsJobRowsTable,
  ForensicsJobsTable,
} from './tables/forensics.js';
import type { OneTimeCodesTable, SessionsTable } from './tables/identity.js';
import type {
  SyncGrantDigestsTable,
  SyncIdentityMapsTable,
  SyncIndexedRunsTable,
  SyncPodsTable,
  SyncRiskFindingsTable,
  SyncRiskRunsTable,
  SyncRoleDigestsTable,
  SyncRoleRulesTable,
  SyncRoleTargetsTable,
  SyncRuleKeysTable,
  SyncRunsTable,
  SyncSnapshotsTable,
  SyncSubjectGrantsTable,
} from './tables/inventory.js';
import type { ReviewCampaignsTable, ReviewItemsTable } from './tables/reviews.js';
import type { ApiTokensTable, LeasesTable, NotificationCursorsTable } from './tables/server.js';
import type {
  UsageFilesTable,
  UsageIdentitiesTable,
  UsageIngestionsTable,
  UsagePermissionsTable,
} from './tables/usage.js';

/** Every table of the store, assembled from the capabilities' table types. */
export interface Database {
  readonly audit_events: AuditEventsTable;
  readonly access_flows: AccessFlowsTable;
  readonly access_requests: AccessRequestsTable;
  readonly access_decisions: AccessDecisionsTable;
  readonly sync_runs: SyncRunsTable;
  readonly sync_snapshots: SyncSnapshotsTable;
  readonly sync_indexed_runs: SyncIndexedRunsTable;
  readonly sync_subject_grants: SyncSubjectGrantsTable;
  readonly sync_role_rules: SyncRoleRulesTable;
  readonly sync_pods: SyncPodsTable;
  readonly sync_identity_maps: SyncIdentityMapsTable;
  readonly sync_role_targets: SyncRoleTargetsTable;
  readonly sync_rule_keys: SyncRuleKeysTable;
  readonly sync_grant_digests: SyncGrantDigestsTable;
  readonly sync_role_digests: SyncRoleDigestsTable;
  readonly sync_risk_runs: SyncRiskRunsTable;
  readonly sync_risk_findings: SyncRiskFindingsTable;
  readonly api_tokens: ApiTokensTable;
  readonly notification_cursors: NotificationCursorsTable;
  readonly aws_auth_history: AwsAuthHistoryTable;
  readonly cluster_providers: ClusterProvidersTable;
  readonly eks_access_grants: EksAccessGrantsTable;
  readonly leases: LeasesTable;
  readonly sessions: SessionsTable;
  readonly one_time_codes: OneTimeCodesTable;
  readonly usage_permissions: UsagePermissionsTable;
  readonly usage_identities: UsageIdentitiesTable;
  readonly usage_files: UsageFilesTable;
  readonly usage_ingestions: UsageIngestionsTable;
  readonly review_campaigns: ReviewCampaignsTable;
  readonly review_items: ReviewItemsTable;
  readonly agents: AgentsTable;
  readonly forensics_jobs: ForensicsJobsTable;
  readonly forensics_job_rows: ForensicsJobRowsTable;
  readonly server_replicas: ServerReplicasTable;
  readonly evidence_views: EvidenceViewsTable;
  readonly evidence_view_events: EvidenceViewEventsTable;
  readonly evidence_view_bodyfile: EvidenceViewBodyfileTable;
  readonly evidence_verifications: EvidenceVerificationsTable;
}

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * Wake-ups between processes that share one database (PostgreSQL LISTEN/NOTIFY): a replica that
 * changed something tells the one that acts on it, at once instead of at its next poll.
 */
export interface StoreSignals {
  /** `payload`: what changed, e.g. a request id (PostgreSQL carries up to 8000 bytes). */
  notify(channel: string, payload?: string): Promise<void>;
  /**
   * Calls `onSignal` with each notification's payload until the returned stop is called, and
   * once with an empty payload whenever listening (re)starts, for signals sent while it was not.
   */
  listen(channel: string, onSignal: (payload: string) => void): Promise<() => Promise<void>>;
}

/** An open store: the query builder and what it runs on. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Present where the database can carry signals between processes (PostgreSQL). */
  readonly signals?: StoreSignals;
  /** Where it lives, without credentials: a file path or `postgres://host/db`. */
  readonly location: string;
  /** Files kept outside the database that vouch for it (the audit log's key and checkpoint). */
  readonly files: StoreFiles;
  /** What opening had to repair (loose permissions), for the caller to report. */
  readonly notices: readonly string[];
  close(): Promise<void>;
}

export interface StoreFiles {
  /** The data directory (0700). */
  readonly dataDir: string;
  /** The Ed25519 private key that signs audit entries (PKCS#8 PEM, mode 0600). */
  readonly auditKey: string;
  /** True when the key file was named explicitly (a mounted secret): it is never created. */
  readonly auditKeyExplicit: boolean;
  /** The newest signed chain head, rewritten after every append. */
  readonly auditCheckpoint: string;
}
