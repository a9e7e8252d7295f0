import type { Principal } from '../identity/index.js';

/** What every /v1 route finds on its context: the authenticated principal. */
export type ServerEnv = { Variables: { principal: Principal } };

/** Tells the reconciler a change happened (with the request's id when one request changed); returns its input. */
export type Changed = <T>(value: T) => T;
