/** API tokens of the HTTP API: only a SHA-256 of each token is kept. */
export interface ApiTokensTable {
  readonly id: string;
  readonly user_name: string;
  /** JSON list of groups the token's user belongs to. */
  readonly groups: string;
  /** 1 when the token may manage flows and tokens. */
  readonly admin: number;
  readonly token_hash: string;
  readonly created_at: string;
  readonly created_by: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
}

/** How far each notification sink has read the audit log. */
export interface NotificationCursorsTable {
  readonly name: string;
  readonly seq: number | string;
  readonly updated_at: string;
}

/** Work only one `gatehouse serve` replica does at a time (the reconciler), and who does it until when. */
export interface LeasesTable {
  readonly name: string;
  readonly holder: string;
  readonly expires_at: string;
  readonly updated_at: string;
}
