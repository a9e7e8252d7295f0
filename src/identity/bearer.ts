import type { SessionSettings } from '../config/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { authenticate } from './api-tokens.js';
import type { Principal } from './principal.js';
import { resolveSession, type SessionRefusal, sessionIdPrefix } from './sessions.js';

function refusal(reason: SessionRefusal): string {
  switch (reason) {
    case 'unknown':
      return 'unknown or ended session token';
    case 'wrong-kind':
      return 'a browser session id is not a bearer token';
    case 'idle':
      return 'the session token was idle too long';
    case 'expired':
      return 'the session token expired';
    default: {
      const unknown: never = reason;
      return unknown;
    }
  }
}

/**
 * The principal behind `Authorization: Bearer …` on the API: a CLI session token from
 * `gatehouse login` (prefix `ghs_`), or an API token for automation.
 */
export async function authenticateBearer(
  store: Store,
  settings: SessionSettings,
  token: string | undefined,
  now = new Date(),
): Promise<Principal> {
  if (!token?.startsWith(sessionIdPrefix)) return await authenticate(store, token, now);
  const found = await resolveSession(store, settings, token, { kind: 'cli', now });
  if ('refused' in found)
    throw new AppError('auth.unauthorized', refusal(found.refused), {
      fix: 'Sign in again with `gatehouse login --server URL`',
    });
  return found.session.principal;
}
