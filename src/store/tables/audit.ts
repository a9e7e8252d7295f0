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
  /** Which Ed25519 key signed the entry (null before signing existed). */
  readonly key_id: string | null;
  /** Base64 Ed25519 signature over the entry's hash. */
  readonly signature: string | null;
}
