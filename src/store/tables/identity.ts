/** Signed-in sessions: the id lives only in the cookie (or the CLI's credentials); here its SHA-256. */
export interface SessionsTable {
  readonly id_hash: string;
  /** A public reference (audit entries, revocation, `Principal.authenticatedBy`). */
  readonly ref: string;
  /** `browser` (cookie) or `cli` (bearer token). */
  readonly kind: string;
  /** How the person proved who they are: `oidc` or `first-admin`. */
  readonly method: string;
  readonly subject: string;
  /** JSON list of groups, already prefixed as Gatehouse names them. */
  readonly groups: string;
  /** JSON list of platform roles. */
  readonly roles: string;
  readonly csrf_token: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly idle_expires_at: string;
  readonly expires_at: string;
}

/** Single-use codes (first-admin link, CLI login hand-over): only a SHA-256 of each code is kept. */
export interface OneTimeCodesTable {
  readonly code_hash: string;
  readonly purpose: string;
  /** JSON: what the code stands for (never a secret). */
  readonly payload: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly used_at: string | null;
}
