import type { Principal } from '../identity/index.js';

/** What every /v1 route finds on its context: the authenticated principal. */
export type ServerEnv = { Variables: { principal: Principal } };

/**
 * The browser's side of a signed-in session, as the console sees it. The session middleware
 * sets it from the session cookie; forms carry `csrfToken` in a hidden `_csrf` field and the
 * middleware refuses any state-changing request whose token does not match.
 */
export interface WebSession {
  readonly csrfToken: string;
  /** When the session ends at the latest (absolute expiry), ISO 8601. */
  readonly expiresAt: string;
}

/** What every console route finds on its context: who is signed in, if anyone. */
export type ConsoleEnv = {
  Variables: { principal: Principal | undefined; session: WebSession | undefined };
};

/** Tells the reconciler a change happened (with the request's id when one request changed); returns its input. */
export type Changed = <T>(value: T) => T;
