import { createHash, randomUUID } from 'node:crypto';
import { type Selectable, sql, type Transaction } from 'kysely';
import { AppError, messageOf } from '../errors.js';
import type { Database, Store } from '../store/index.js';
import { writeCheckpointFile } from './checkpoint.js';
import { type AuditSigner, loadSigner, signText } from './keys.js';

export type AuditOutcome = 'started' | 'succeeded' | 'failed' | 'denied';

export interface AuditInput {
  readonly actor: string;
  /** Dotted verb, e.g. `access.grant`, `forensics.exec`. */
  readonly action: string;
  readonly target: string;
  readonly outcome: AuditOutcome;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditEvent extends AuditInput {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
  /** The Ed25519 key that signed the entry; absent on entries written before signing. */
  readonly keyId?: string;
  /** Base64 signature over the hash (domain {@link entryDomain}). */
  readonly signature?: string;
}

export const genesisHash = '0'.repeat(64);
export const entryDomain = 'gatehouse-audit-entry-v1';
/** The action of a key rotation entry: signed by the old key, it names (and is endorsed by) the new one. */
export const rotationAction = 'audit.key-rotated';

type Unsigned = Omit<AuditEvent, 'hash' | 'keyId' | 'signature'>;

/** The hash of an entry covers every field and the previous hash, so edits and removals show. */
export function hashEvent(event: Unsigned): string {
  const canonical = JSON.stringify([
    event.seq,
    event.id,
    event.at,
    event.actor,
    event.action,
    event.target,
    event.outcome,
    canonicalJson(event.details),
    event.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** JSON with sorted keys, so the same details always hash the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  }
  return value;
}

/** What an audited transaction's work receives: the transaction, and the append bound to it. */
export interface AuditedTransaction {
  readonly tx: Transaction<Database>;
  /** The store bound to the transaction: functions that take a `Store` run inside it unchanged. */
  readonly store: Store;
  audit(input: AuditInput, now?: () => Date): Promise<AuditEvent>;
}

const signers = new WeakMap<Store, AuditSigner>();

/** The store's signing key, read (or created) once per open store. */
export function signerFor(store: Store, reload = false): AuditSigner {
  let signer = signers.get(store);
  if (!signer || reload) {
    signer = loadSigner(store.files);
    signers.set(store, signer);
  }
  return signer;
}

/** Rotation swaps the signer of an open store. */
export function useSigner(store: Store, signer: AuditSigner): void {
  signers.set(store, signer);
}

/**
 * Runs `work` in one transaction with the audit entries it appends: the change and its record
 * commit together or not at all. The transaction holds the audit chain from its start (SQLite
 * `BEGIN IMMEDIATE`, a PostgreSQL transaction-scoped advisory lock), so writers in other
 * processes wait their turn instead of failing. After the commit the new head is checkpointed.
 *
 * @example
 * await auditedTransaction(store, async ({ tx, audit }) => {
 *   await tx.updateTable('access_requests').set({ state: 'revoked' }).where('id', '=', id).execute();
 *   await audit({ actor, action: 'access.revoke', target, outcome: 'succeeded' });
 * });
 */
export async function auditedTransaction<T>(
  store: Store,
  work: (scope: AuditedTransaction) => Promise<T>,
): Promise<T> {
  const signer = signerFor(store);
  let newest: AuditEvent | undefined;
  const result = await store.db.transaction().execute(async (tx) => {
    if (store.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(${sql.lit(chainLockKey)})`.execute(tx);
    const audit = async (input: AuditInput, now: () => Date = () => new Date()) => {
      newest = await appendIn(tx, store, signer, input, now());
      return newest;
    };
    return await work({ tx, store: { ...store, db: tx }, audit });
  });
  if (newest) checkpoint(store, newest);
  return result;
}

/** After the commit, never before: a checkpoint must not name an entry that was rolled back. */
function checkpoint(store: Store, event: AuditEvent): void {
  if (!event.signature || !event.keyId) return;
  try {
    writeCheckpointFile(store.files.auditCheckpoint, {
      seq: event.seq,
      hash: event.hash,
      keyId: event.keyId,
      signature: event.signature,
      at: event.at,
    });
  } catch (error) {
    throw new AppError(
      'store.failed',
      `audit entry ${event.seq} and the change it records were committed, but the checkpoint ${store.files.auditCheckpoint} could not be written: ${messageOf(error)}`,
      {
        fix: 'Free space or fix the permissions of the data directory; the next append writes the checkpoint again',
        cause: error,
      },
    );
  }
}

/** A fixed number that no other part of Gatehouse uses as an advisory lock ("gate" in ASCII). */
const chainLockKey = 0x67617465;

/**
 * Appends one event at the end of the chain in its own transaction. To record a change, prefer
 * {@link auditedTransaction}: the change and its entry then cannot be parted.
 */
export async function appendAudit(
  store: Store,
  input: AuditInput,
  now: () => Date = () => new Date(),
): Promise<AuditEvent> {
  try {
    return await auditedTransaction(store, ({ audit }) => audit(input, now));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('store.failed', `writing audit event ${input.action} failed: ${messageOf(error)}`, {
      fix: 'Check that the store is reachable and writable',
      cause: error,
    });
  }
}

async function appendIn(
  tx: Transaction<Database>,
  store: Store,
  signer: AuditSigner,
  input: AuditInput,
  at: Date,
): Promise<AuditEvent> {
  const head = await tx
    .selectFrom('audit_events')
    .select(['seq', 'hash', 'key_id', 'action', 'details'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const active = head ? activeKeyAfter(head) : undefined;
  const key = active && active !== signer.keyId ? currentSigner(store, active) : signer;
  const partial: Unsigned = {
    seq: head ? Number(head.seq) + 1 : 1,
    id: randomUUID(),
    at: at.toISOString(),
    actor: input.actor,
    action: input.action,
    target: input.target,
    outcome: input.outcome,
    details: input.details ?? {},
    prevHash: head?.hash ?? genesisHash,
  };
  const hash = hashEvent(partial);
  const event: AuditEvent = {
    ...partial,
    hash,
    keyId: key.keyId,
    signature: signText(key, entryDomain, hash),
  };
  await tx.insertInto('audit_events').values(toRow(event)).execute();
  return event;
}

/** The key the chain expects next: the one a rotation entry named, else the head's own. */
function activeKeyAfter(head: {
  key_id: string | null;
  action: string;
  details: string;
}): string | undefined {
  if (head.action === rotationAction) {
    const named = (JSON.parse(head.details) as { keyId?: unknown }).keyId;
    if (typeof named === 'string') return named;
  }
  return head.key_id ?? undefined;
}

/** Another process rotated the key: read the file again; a mismatch after that is a misconfiguration. */
function currentSigner(store: Store, expected: string): AuditSigner {
  const reloaded = signerFor(store, true);
  if (reloaded.keyId === expected) return reloaded;
  throw new AppError(
    'config.invalid',
    `the audit chain is signed with key ${expected}, but ${store.files.auditKey} holds key ${reloaded.keyId}`,
    {
      fix: 'Give every Gatehouse process of this store the same key file (GATEHOUSE_AUDIT_KEY_FILE); after a rotation, update the mounted secret',
    },
  );
}

function toRow(event: AuditEvent) {
  return {
    seq: event.seq,
    id: event.id,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target,
    outcome: event.outcome,
    details: canonicalJson(event.details),
    prev_hash: event.prevHash,
    hash: event.hash,
    key_id: event.keyId ?? null,
    signature: event.signature ?? null,
  };
}

export interface AuditQuery {
  readonly afterSeq?: number;
  readonly limit?: number;
  readonly action?: string;
  readonly actor?: string;
  /** Entries whose target starts with this (e.g. `review/ID` for a campaign and its items). */
  readonly targetPrefix?: string;
  /** Entries at or after this instant (ISO 8601). */
  readonly since?: string;
  /** Newest first (the console's view), instead of chain order. */
  readonly newestFirst?: boolean;
}

/** Events in chain order. */
export async function listAudit(store: Store, query: AuditQuery = {}): Promise<AuditEvent[]> {
  let select = store.db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('seq', query.newestFirst ? 'desc' : 'asc');
  if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
  if (query.action !== undefined) select = select.where('action', '=', query.action);
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
  if (query.since !== undefined) select = select.where('at', '>=', query.since);
  if (query.targetPrefix !== undefined)
    // substr, not LIKE: a prefix is compared as text in both dialects, whatever characters it holds.
    select = select.where(
      sql<string>`substr(target, 1, ${query.targetPrefix.length})`,
      '=',
      query.targetPrefix,
    );
  if (query.limit !== undefined) select = select.limit(query.limit);
  return (await select.execute()).map(auditEventOf);
}

/** One stored row as an event: the only place rows become domain values. */
export function auditEventOf(row: Selectable<Database['audit_events']>): AuditEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome as AuditOutcome,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
    ...(row.key_id ? { keyId: row.key_id } : {}),
    ...(row.signature ? { signature: row.signature } : {}),
  };
}
