import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** What a single-use code is for: the first admin's sign-in link, or the CLI's login hand-over. */
export type CodePurpose = 'first-admin' | 'cli-login';

/** Only this is stored; the code itself goes once to whoever may use it. */
export function hashCode(code: string): string {
  return createHash('sha256').update(`gatehouse-code:${code}`).digest('hex');
}

/** Mints a code standing for `payload` (never a secret) until `ttlSeconds` from now. */
export async function issueCode(
  db: Kysely<Database>,
  input: {
    readonly purpose: CodePurpose;
    readonly payload: Readonly<Record<string, unknown>>;
    readonly ttlSeconds: number;
  },
  now = new Date(),
): Promise<{ readonly code: string; readonly expiresAt: string }> {
  const code = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000).toISOString();
  // Used and lapsed codes are of no further use to anyone.
  await db.deleteFrom('one_time_codes').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('one_time_codes')
    .values({
      code_hash: hashCode(code),
      purpose: input.purpose,
      payload: JSON.stringify(input.payload),
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    })
    .execute();
  return { code, expiresAt };
}

/**
 * Uses a code up and returns what it stood for; undefined when it is unknown, used, lapsed or
 * for another purpose. One update decides, so two racing redemptions cannot both win.
 */
export async function redeemCode(
  db: Kysely<Database>,
  purpose: CodePurpose,
  code: string,
  now = new Date(),
): Promise<Record<string, unknown> | undefined> {
  if (code.length === 0 || code.length > 200) return undefined;
  const codeHash = hashCode(code);
  const result = await db
    .updateTable('one_time_codes')
    .set({ used_at: now.toISOString() })
    .where('code_hash', '=', codeHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  const row = await db
    .selectFrom('one_time_codes')
    .select('payload')
    .where('code_hash', '=', codeHash)
    .executeTakeFirstOrThrow();
  return JSON.parse(row.payload) as Record<string, unknown>;
}
