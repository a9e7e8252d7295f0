import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { hashToken } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { agentHeartbeatMs } from './records.js';

const secretPrefix = 'ghr_';
/** A replica not seen for this long is taken for gone: its secret no longer opens a relay. */
const staleMs = 6 * agentHeartbeatMs;

/**
 * Says where this replica can be reached by the others and mints the secret it presents when it
 * forwards a call to them; only the secret's hash is stored. Called at start; renewed by
 * {@link renewReplica}.
 */
export async function announceReplica(
  store: Store,
  input: { readonly replica: string; readonly url: string },
  now = new Date(),
): Promise<{ readonly secret: string }> {
  const secret = `${secretPrefix}${randomBytes(32).toString('base64url')}`;
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('server_replicas').where('replica', '=', input.replica).execute();
    await tx
      .insertInto('server_replicas')
      .values({
        replica: input.replica,
        url: input.url,
        secret_hash: hashToken(secret),
        seen_at: now.toISOString(),
      })
      .execute();
  });
  return { secret };
}

export async function renewReplica(store: Store, replica: string, now = new Date()): Promise<void> {
  await store.db
    .updateTable('server_replicas')
    .set({ seen_at: now.toISOString() })
    .where('replica', '=', replica)
    .execute();
}

export const isReplicaSecret = (token: string | undefined) => token?.startsWith(secretPrefix) === true;

/** The live replica a forwarding secret belongs to, or `auth.unauthorized`. */
export async function authenticateReplica(store: Store, secret: string, now = new Date()): Promise<string> {
  const row = await store.db
    .selectFrom('server_replicas')
    .selectAll()
    .where('secret_hash', '=', hashToken(secret))
    .executeTakeFirst();
  if (!row || now.getTime() - Date.parse(row.seen_at) > staleMs)
    throw new AppError('auth.unauthorized', 'unknown or stale replica secret', {
      fix: 'Replicas announce themselves when they start; restart the replica that forwards',
    });
  return row.replica;
}

/** The other replica the agent is connected to now, and where to reach it; undefined when none. */
export async function replicaHolding(
  store: Store,
  input: { readonly agent: string; readonly self: string },
  now = new Date(),
): Promise<{ readonly replica: string; readonly url: string } | undefined> {
  const row = await store.db
    .selectFrom('agents')
    .innerJoin('server_replicas', 'server_replicas.replica', 'agents.replica')
    .select([
      'agents.replica as replica',
      'server_replicas.url as url',
      'agents.connected_at',
      'agents.last_seen_at',
    ])
    .where('agents.name', '=', input.agent)
    .executeTakeFirst();
  if (!row?.replica || !row.connected_at || !row.last_seen_at || row.replica === input.self) return undefined;
  if (now.getTime() - Date.parse(row.last_seen_at) > 3 * agentHeartbeatMs) return undefined;
  return { replica: row.replica, url: row.url };
}
