import { createHash, timingSafeEqual } from 'node:crypto';
import type { SessionSettings } from '../config/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { SignedInIdentity } from './claims.js';
import { issueCode, redeemCode } from './one-time-codes.js';
import { createSession, type Session } from './sessions.js';

/**
 * `gatehouse login` hands a sign-in from the browser to the CLI like PKCE does between a browser
 * and a server: the CLI sends only the SHA-256 of a verifier it keeps (`challenge`); after the
 * person signs in, the server redirects to the CLI's loopback listener with a code that stands
 * for them for two minutes; only the holder of the verifier turns it into a session token.
 */
const handOverTtlSeconds = 120;

/** The challenge for a verifier: base64url SHA-256, as PKCE's S256. */
export function cliChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** A well-formed challenge: 43 base64url characters (a SHA-256). */
export function isCliChallenge(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The code the browser carries to the CLI's loopback listener after the person signed in. */
export async function issueCliLoginCode(
  store: Store,
  input: { readonly identity: SignedInIdentity; readonly challenge: string },
  now = new Date(),
): Promise<string> {
  const { code } = await issueCode(
    store.db,
    {
      purpose: 'cli-login',
      payload: { ...input.identity, challenge: input.challenge },
      ttlSeconds: handOverTtlSeconds,
    },
    now,
  );
  return code;
}

/**
 * Turns a hand-over code and the verifier behind its challenge into a CLI session (a bearer
 * token). The code is used up by the first attempt, right or wrong.
 */
export async function redeemCliLoginCode(
  store: Store,
  settings: SessionSettings,
  input: { readonly code: string; readonly verifier: string },
  now = new Date(),
): Promise<{ readonly id: string; readonly session: Session }> {
  const payload = await redeemCode(store.db, 'cli-login', input.code, now);
  const expected = Buffer.from(String(payload?.challenge ?? ''));
  const given = Buffer.from(cliChallenge(input.verifier));
  if (!payload || expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new AppError('auth.unauthorized', 'this login code is unknown, used, expired or not yours', {
      fix: 'Run `gatehouse login --server URL` again',
    });
  return await createSession(
    store,
    settings,
    {
      kind: 'cli',
      method: 'oidc',
      subject: String(payload.subject),
      groups: payload.groups as string[],
      roles: payload.roles as SignedInIdentity['roles'],
    },
    now,
  );
}
