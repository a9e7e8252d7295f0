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
