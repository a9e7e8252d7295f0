/**
 * Acquisition jobs started from the console, kept in the store so that every server replica can
 * show a job's page and progress, and a job whose replica died is seen as interrupted.
 */
export interface ForensicsJobsTable {
  readonly id: string;
  readonly operator: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly selector: string | null;
  readonly method: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  /** The replica running it, and when that replica last said it still was. */
  readonly replica: string;
  readonly heartbeat_at: string;
  /** Why it ended before its containers did (its replica stopped), if it did. */
  readonly interrupted: string | null;
}

/** One container of a job: progress while it runs (written at most about once a second), then its result. */
export interface ForensicsJobRowsTable {
  readonly job_id: string;
  readonly position: number;
  readonly label: string;
  readonly stage: string;
  /** bigint: PostgreSQL returns it as a string, read with Number(). */
  readonly bytes: number | string;
  readonly items: number;
  readonly status: string;
  /** JSON of the sealed or failed result. */
  readonly result: string | null;
  readonly updated_at: string;
}

/**
 * What the evidence page shows of one verified package, computed once. `view_key` is the hash of
 * the view format and the package hash it was verified under: a different hash is a different
 * package, and a new format a new view, never this one.
 */
export interface EvidenceViewsTable {
  readonly view_key: string;
  readonly package_hash: string;
  readonly package_id: string;
  /** JSON: custody, indicators, processes, the first files, the timeline's sources and kinds. */
  readonly summary: string;
  readonly event_count: number;
  readonly bodyfile_count: number;
  readonly built_at: string;
}

/** One timeline event of a view, in the timeline's order (`seq`). */
export interface EvidenceViewEventsTable {
  readonly view_key: string;
  readonly seq: number;
  /** bigint: PostgreSQL returns it as a string, read with Number(). */
  readonly at_ms: number | string;
  readonly datetime: string;
  readonly kind: string;
  /** As a JSON string, as `message`: the path of a collected log is container text too. */
  readonly source: string;
  /** Positions of the source and kind in the view's sorted lists: what filters compare and indexes hold. */
  readonly source_no: number;
  readonly kind_no: number;
  /** As a JSON string: container text may hold a NUL, which PostgreSQL text cannot. */
  readonly message: string;
}

/** One bodyfile line of a view (the export), in the listing's order. */
export interface EvidenceViewBodyfileTable {
  readonly view_key: string;
  readonly seq: number;
  /** As a JSON string, like an event's message. */
  readonly line: string;
}

/**
 * A full verification of a package as its files stood on disk (`fingerprint`: every file's size,
 * inode and times): while the fingerprint holds, the outcome holds without re-hashing.
 */
export interface EvidenceVerificationsTable {
  readonly package_id: string;
  readonly fingerprint: string;
  readonly package_hash: string;
  readonly ok: number;
  /** JSON of the verification outcome (problems, anchors, notes). */
  readonly outcome: string;
  readonly verified_at: string;
}
