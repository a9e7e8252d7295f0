import { auditedTransaction } from '../audit/index.js';
import type { SessionSettings } from '../config/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { issueCode, redeemCode } from './one-time-codes.js';
import { createSession, type Session } from './sessions.js';

/** A one-time sign-in link for the first administrator. */
export interface FirstAdminLink {
  /** `PUBLIC_URL/auth/first-admin?token=…`: opening it shows a button that signs in. */
  readonly url: string;
  readonly subject: string;
  readonly expiresAt: string;
}

const linkTtlSeconds = 15 * 60;

/**
 * Whether the store still waits for its first administrator: nobody has ever signed in (no
 * `auth.sign-in` entry in the append-only audit log, whatever the method) and no usable admin API
 * token exists. Sessions come and go; the audit log does not, so this cannot reopen later.
 */
export async function needsFirstAdmin(store: Store, now = new Date()): Promise<boolean> {
  const signedIn = await store.db
    .selectFrom('audit_events')
    .select('seq')
    .where('action', '=', 'auth.sign-in')
    .where('outcome', '=', 'succeeded')
    .limit(1)
    .executeTakeFirst();
  if (signedIn) return false;
  const tokens = await store.db
    .selectFrom('api_tokens')
    .select(['expires_at'])
    .where('admin', '=', 1)
    .where('revoked_at', 'is', null)
    .execute();
  return !tokens.some((token) => !token.expires_at || Date.parse(token.expires_at) > now.getTime());
}

/**
 * On a store that has never had anyone sign in, mints a link (valid 15 minutes, single use, only
 * its hash stored) that signs its holder in as an administrator; otherwise undefined. Each call
 * replaces the links minted before. Audited. `gatehouse serve` prints it; `npm start` may too.
 *
 * @example
 * const link = await issueFirstAdminLink(store, { publicUrl: 'http://127.0.0.1:8080' });
 * if (link) console.log(`Sign in as the first administrator (until ${link.expiresAt}): ${link.url}`);
 */
export async function issueFirstAdminLink(
  store: Store,
  options: { readonly publicUrl: string; readonly subject?: string; readonly now?: Date },
): Promise<FirstAdminLink | undefined> {
  const now = options.now ?? new Date();
  if (!(await needsFirstAdmin(store, now))) return undefined;
  const subject = options.subject ?? 'local:first-admin';
  const { code, expiresAt } = await auditedTransaction(store, async ({ tx, audit }) => {
    await tx.deleteFrom('one_time_codes').where('purpose', '=', 'first-admin').execute();
    const issued = await issueCode(
      tx,
      { purpose: 'first-admin', payload: { subject }, ttlSeconds: linkTtlSeconds },
      now,
    );
    await audit(
      {
        actor: 'gatehouse',
        action: 'auth.first-admin-link',
        target: subject,
        outcome: 'succeeded',
        details: { expiresAt: issued.expiresAt },
      },
      () => now,
    );
    return issued;
  });
  const url = `${options.publicUrl.replace(/\/+$/, '')}/auth/first-admin?token=${code}`;
  return { url, subject, expiresAt };
}

/**
 * Uses a first-admin link up: a browser session for its subject with the admin role. Refuses a
 * link that is unknown, used or older than 15 minutes, and any link once someone has signed in.
 */
export async function redeemFirstAdminLink(
  store: Store,
  settings: SessionSettings,
  token: string,
  now = new Date(),
): Promise<{ readonly id: string; readonly session: Session }> {
  const refused = new AppError(
    'auth.unauthorized',
    'this first-admin sign-in link is unknown, used or expired',
    {
      fix: 'Restart `gatehouse serve` on a store nobody has signed in to yet for a new link, or sign in with your identity provider',
    },
  );
  if (!(await needsFirstAdmin(store, now))) throw refused;
  const payload = await redeemCode(store.db, 'first-admin', token, now);
  if (!payload || typeof payload.subject !== 'string') throw refused;
  return await createSession(
    store,
    settings,
    { kind: 'browser', method: 'first-admin', subject: payload.subject, groups: [], roles: ['admin'] },
    now,
  );
}
