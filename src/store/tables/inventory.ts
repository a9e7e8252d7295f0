/** One read of a cluster's identities and RBAC (a sync run). */
export interface SyncRunsTable {
  readonly id: string;
  /** Cluster name: the kubeconfig context or provider cluster name. */
  readonly cluster: string;
  readonly server: string;
  readonly started_at: string;
  readonly finished_at: string;
  /** `succeeded` | `partial` | `failed`. */
  readonly status: string;
  /** JSON: object counts by kind. */
  readonly counts: string;
  /** JSON: resourceVersion of each list. */
  readonly resource_versions: string;
  /** JSON: what could not be read. */
  readonly errors: string;
}

/** The objects a sync read, gzipped JSON in base64 (kept apart so listing runs stays cheap). */
export interface SyncSnapshotsTable {
  readonly run_id: string;
  readonly data: string;
}
