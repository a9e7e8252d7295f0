import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import type { SessionSettings } from '../config/index.js';
import type { Store } from '../store/index.js';
import type { PlatformRole, Principal } from './principal.js';

/** Where a session is held: a browser's cookie, or the CLI's credentials file as a bearer token. */
export type SessionKind = 'browser' | 'cli';
/** How the person proved who they are when the session began. */
export type SignInMethod = 'oidc' | 'first-admin';

/** A live session, as the server sees it once the id checks out. */
export interface Session {
  /** The public reference: audit entries and revocation name it; it opens nothing. */
  readonly ref: string;
  readonly kind: SessionKind;
  readonly method: SignInMethod;
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly idleExpiresAt: string;
  /** When the session ends at the latest, whatever its use. */
  readonly expiresAt: string;
}

/** Session ids carry a prefix so a bearer token says which authenticator it is for. */
export const sessionIdPrefix = 'ghs_';

/** Only this is stored: the id itself stays in the cookie or the credentials file. */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(`gatehouse-session:${id}`).digest('hex');
}

const at = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

export interface NewSession {
  readonly kind: SessionKind;
  readonly method: SignInMethod;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly PlatformRole[];
}

/**
 * Starts a session and records the sign-in in the audit log, together. Returns the session id
 * once: the caller hands it to the browser (cookie) or the CLI (token) and forgets it.
 *
 * @example
 * const { id, session } = await createSession(store, settings, { kind: 'browser', method: 'oidc', subject: 'oidc:alice', groups: ['oidc:devs'], roles: [] });
 */
export async function createSession(
  store: Store,
  settings: SessionSettings,
  input: NewSession,
  now = new Date(),
): Promise<{ readonly id: string; readonly session: Session }> {
  const id = `${sessionIdPrefix}${randomBytes(32).toString('base64url')}`;
  const ref = randomUUID();
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = at(now, settings.absoluteSeconds);
  const idleExpiresAt = at(now, Math.min(settings.idleSeconds, settings.absoluteSeconds));
  await auditedTransaction(store, async ({ tx, audit }) => {
    // Expired rows go as new ones come: nothing else needs them, and they name people.
    await tx.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).execute();
    await tx.deleteFrom('sessions').where('idle_expires_at', '<=', now.toISOString()).execute();
    await tx
      .insertInto('sessions')
      .values({
        id_hash: hashSessionId(id),
        ref,
        kind: input.kind,
        method: input.method,
        subject: input.subject,
        groups: JSON.stringify(input.groups),
        roles: JSON.stringify(input.roles),
        csrf_token: csrfToken,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        idle_expires_at: idleExpiresAt,
        expires_at: expiresAt,
      })
      .execute();
    await audit(
      {
        actor: input.subject,
        action: 'auth.sign-in',
        target: input.subject,
        outcome: 'succeeded',
        details: {
          session: ref,
          kind: input.kind,
          method: input.method,
          groups: [...input.groups],
          roles: [...input.roles],
          expiresAt,
        },
      },
      () => now,
    );
  });
  const principal = toPrincipal({ ...input, ref });
  return {
    id,
    session: { ref, ...input, principal, csrfToken, createdAt: now.toISOString(), idleExpiresAt, expiresAt },
  };
}

function toPrincipal(row: {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly PlatformRole[];
  readonly ref: string;
}): Principal {
  return {
    subject: row.subject,
    groups: row.groups,
    roles: row.roles,
    authenticatedBy: { kind: 'session', sessionId: row.ref },
  };
}

/** Why a presented session id opens nothing; the edges turn it into a sign-in page or a 401. */
export type SessionRefusal = 'unknown' | 'idle' | 'expired' | 'wrong-kind';

/**
 * The live session behind an id, its idle expiry slid forward; or why not. Unknown, idle or
 * expired ids open nothing; an expired row is removed on the way.
 */
export async function resolveSession(
  store: Store,
  settings: SessionSettings,
  id: string,
  options: { readonly kind: SessionKind; readonly now?: Date },
): Promise<{ readonly session: Session } | { readonly refused: SessionRefusal }> {
  const now = options.now ?? new Date();
  if (!id.startsWith(sessionIdPrefix) || id.length > 200) return { refused: 'unknown' };
  const idHash = hashSessionId(id);
  const row = await store.db
    .selectFrom('sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return { refused: 'unknown' };
  // A cookie's id is never a bearer token and the other way round: a leak of one opens only its door.
  if (row.kind !== options.kind) return { refused: 'wrong-kind' };
  const ended =
    Date.parse(row.expires_at) <= now.getTime()
      ? 'expired'
      : Date.parse(row.idle_expires_at) <= now.getTime()
        ? 'idle'
        : undefined;
  if (ended) {
    await store.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return { refused: ended };
  }
  const idleExpiresAt = new Date(
    Math.min(now.getTime() + settings.idleSeconds * 1000, Date.parse(row.expires_at)),
  ).toISOString();
  // Sliding by the minute is enough, and spares the database a write on every page.
  if (Date.parse(idleExpiresAt) - Date.parse(row.idle_expires_at) >= 60_000)
    await store.db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString(), idle_expires_at: idleExpiresAt })
      .where('id_hash', '=', idHash)
      .execute();
  const groups = JSON.parse(row.groups) as string[];
  const roles = JSON.parse(row.roles) as PlatformRole[];
  return {
    session: {
      ref: row.ref,
      kind: row.kind as SessionKind,
      method: row.method as SignInMethod,
      principal: toPrincipal({ subject: row.subject, groups, roles, ref: row.ref }),
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      idleExpiresAt,
      expiresAt: row.expires_at,
    },
  };
}

/** Whether a submitted CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Pick<Session, 'csrfToken'>, submitted: string | undefined): boolean {
  if (!submitted) return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Ends a session (sign-out by its holder, or revocation by an administrator) and audits it.
 * Returns false when there was no such session.
 */
export async function endSession(
  store: Store,
  which: { readonly ref: string; readonly actor: string; readonly reason: 'sign-out' | 'revoked' },
  now = new Date(),
): Promise<boolean> {
  return await auditedTransaction(store, async ({ tx, audit }) => {
    const row = await tx
      .selectFrom('sessions')
      .select(['subject', 'kind'])
      .where('ref', '=', which.ref)
      .executeTakeFirst();
    if (!row) return false;
    await tx.deleteFrom('sessions').where('ref', '=', which.ref).execute();
    await audit(
      {
        actor: which.actor,
        action: which.reason === 'sign-out' ? 'auth.sign-out' : 'auth.session-revoke',
        target: row.subject,
        outcome: 'succeeded',
        details: { session: which.ref, kind: row.kind },
      },
      () => now,
    );
    return true;
  });
}

/** The live sessions, newest first, for an administrator to see and revoke. */
export async function listSessions(
  store: Store,
  now = new Date(),
): Promise<readonly Omit<Session, 'csrfToken'>[]> {
  const rows = await store.db
    .selectFrom('sessions')
    .selectAll()
    .where('expires_at', '>', now.toISOString())
    .where('idle_expires_at', '>', now.toISOString())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => {
    const groups = JSON.parse(row.groups) as string[];
    const roles = JSON.parse(row.roles) as PlatformRole[];
    return {
      ref: row.ref,
      kind: row.kind as SessionKind,
      method: row.method as SignInMethod,
      principal: toPrincipal({ subject: row.subject, groups, roles, ref: row.ref }),
      createdAt: row.created_at,
      idleExpiresAt: row.idle_expires_at,
      expiresAt: row.expires_at,
    };
  });
}
