import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Principal } from './principal.js';

export interface ApiToken {
  readonly id: string;
  readonly user: string;
  readonly groups: readonly string[];
  readonly admin: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly lastUsedAt: string | undefined;
}

const prefix = 'gth_';

/** Tokens are kept only as SHA-256: a stolen store gives no usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Mints an API token for a user. The secret is returned once and never stored.
 *
 * @example
 * const { token } = await createToken(store, { user: 'alice', groups: ['sre'], createdBy: 'local:root' });
 */
export async function createToken(
  store: Store,
  input: {
    readonly user: string;
    readonly groups?: readonly string[];
    readonly admin?: boolean;
    readonly expiresInSeconds?: number;
    readonly createdBy: string;
  },
  now = new Date(),
): Promise<{ readonly id: string; readonly token: string; readonly expiresAt: string | undefined }> {
  if (!input.user.trim())
    throw new AppError('input.invalid', 'a token needs a user', { fix: 'Pass --user NAME' });
  const id = randomUUID();
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  const expiresAt = input.expiresInSeconds
    ? new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString()
    : undefined;
  // The token and its audit entry commit together or not at all.
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .insertInto('api_tokens')
      .values({
        id,
        user_name: input.user,
        groups: JSON.stringify(input.groups ?? []),
        admin: input.admin ? 1 : 0,
        token_hash: hashToken(token),
        created_at: now.toISOString(),
        created_by: input.createdBy,
        expires_at: expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    await audit(
      {
        actor: input.createdBy,
        action: 'token.create',
        target: input.user,
        outcome: 'succeeded',
        details: {
          id,
          groups: input.groups ?? [],
          admin: input.admin === true,
          expiresAt: expiresAt ?? null,
        },
      },
      () => now,
    );
  });
  return { id, token, expiresAt };
}

/** The principal behind a bearer token (an admin token gives the admin role), or an `auth.unauthorized` error that says why not. */
export async function authenticate(
  store: Store,
  token: string | undefined,
  now = new Date(),
): Promise<Principal> {
  if (!token)
    throw new AppError('auth.unauthorized', 'no API token', {
      fix: 'Send "Authorization: Bearer TOKEN"; create one with `gatehouse tokens create --user NAME`',
    });
  const row = await store.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  const unusable = !row
    ? 'unknown API token'
    : row.revoked_at
      ? 'this API token was revoked'
      : row.expires_at && Date.parse(row.expires_at) <= now.getTime()
        ? `this API token expired at ${row.expires_at}`
        : undefined;
  if (unusable || !row)
    throw new AppError('auth.unauthorized', unusable ?? 'unknown API token', {
      fix: 'Create a new token with `gatehouse tokens create --user NAME`',
    });
  await store.db
    .updateTable('api_tokens')
    .set({ last_used_at: now.toISOString() })
    .where('id', '=', row.id)
    .execute();
  return {
    subject: row.user_name,
    groups: JSON.parse(row.groups) as string[],
    roles: Number(row.admin) === 1 ? ['admin'] : [],
    authenticatedBy: { kind: 'api-token', tokenId: row.id },
  };
}

export async function listTokens(store: Store): Promise<ApiToken[]> {
  const rows = await store.db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'asc').execute();
  return rows.map((row) => ({
    id: row.id,
    user: row.user_name,
    groups: JSON.parse(row.groups) as string[],
    admin: Number(row.admin) === 1,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
    lastUsedAt: row.last_used_at ?? undefined,
  }));
}

/** Revokes a token by id or unique id prefix. */
export async function revokeToken(
  store: Store,
  id: string,
  actor: string,
  now = new Date(),
): Promise<ApiToken> {
  const matching = (await listTokens(store)).filter((token) => token.id.startsWith(id));
  if (matching.length !== 1)
    throw new AppError(
      'not-found',
      matching.length === 0 ? `no API token ${id}` : `token id ${id} is ambiguous`,
      {
        fix: 'List tokens with `gatehouse tokens list`',
      },
    );
  const token = matching[0]!;
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .updateTable('api_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', token.id)
      .where('revoked_at', 'is', null)
      .execute();
    await audit(
      { actor, action: 'token.revoke', target: token.user, outcome: 'succeeded', details: { id: token.id } },
      () => now,
    );
  });
  return { ...token, revokedAt: token.revokedAt ?? now.toISOString() };
}
