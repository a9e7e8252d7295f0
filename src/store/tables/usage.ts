/** Per cluster, subject and permission: when it was first and last used, and how often. */
export interface UsagePermissionsTable {
  readonly cluster: string;
  /** sha256 of the subject and every permission field: the row's identity, of bounded length. */
  readonly key: string;
  /** `user:NAME` (ServiceAccounts as `user:system:serviceaccount:NS:NAME`), `group:NAME`, `iam:ARN`. */
  readonly subject: string;
  readonly verb: string;
  readonly api_group: string;
  readonly resource: string;
  readonly subresource: string;
  /** Empty for cluster-scoped objects and non-resource URLs. */
  readonly namespace: string;
  /** Empty when the request named no object (list, watch, create without a name). */
  readonly name: string;
  readonly non_resource_url: string;
  readonly first_used: string;
  readonly last_used: string;
  readonly count: number | string | bigint;
}

/** A group or IAM ARN the apiserver saw with a username. */
export interface UsageIdentitiesTable {
  readonly cluster: string;
  readonly key: string;
  readonly subject: string;
  /** `group` | `iam`. */
  readonly kind: string;
  readonly value: string;
  readonly first_seen: string;
  readonly last_seen: string;
}

/** How far each log file has been read, keyed by its first line, so nothing is counted twice. */
export interface UsageFilesTable {
  readonly cluster: string;
  readonly fingerprint: string;
  readonly path: string;
  readonly bytes_read: number | string | bigint;
  readonly lines_read: number | string | bigint;
  readonly updated_at: string;
}

/** One `usage ingest`: what it read and the time its events span. */
export interface UsageIngestionsTable {
  readonly id: string;
  readonly cluster: string;
  readonly source: string;
  readonly actor: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  /** `running` | `succeeded` | `partial` | `failed`. */
  readonly status: string;
  /** Earliest and latest event read: the window this run is evidence for. */
  readonly window_from: string | null;
  readonly window_to: string | null;
  readonly events_read: number | string | bigint;
  readonly events_counted: number | string | bigint;
  readonly events_skipped: number | string | bigint;
  readonly malformed: number | string | bigint;
  /** JSON: the first malformed lines (file, line, reason), per-file results, errors. */
  readonly report: string;
}
