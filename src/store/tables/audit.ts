/** One row of the append-only, hash-chained audit log. */
export interface AuditEventsTable {
  /** Position in the chain, assigned in app code: 1, 2, 3… */
  readonly seq: number | string;
  readonly id: string;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
  /** JSON object. */
  readonly details: string;
  readonly prev_hash: string;
  readonly hash: string;
}
