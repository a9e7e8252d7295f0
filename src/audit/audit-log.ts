import { createHash, randomUUID } from 'node:crypto';
import { AppError, messageOf } from '../errors.js';
import type { Store } from '../store/index.js';

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
}

export const genesisHash = '0'.repeat(64);

/** The hash of an entry covers every field and the previous hash, so edits and removals show. */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
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

/**
 * Appends one event at the end of the chain. Concurrent writers on PostgreSQL race for the next
 * `seq`; the loser's insert hits the primary key and is retried on the new head.
 */
export async function appendAudit(
  store: Store,
  input: AuditInput,
  now: () => Date = () => new Date(),
): Promise<AuditEvent> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(async (tx) => {
        const head = await tx
          .selectFrom('audit_events')
          .select(['seq', 'hash'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        const partial = {
          seq: head ? Number(head.seq) + 1 : 1,
          id: randomUUID(),
          at: now().toISOString(),
          actor: input.actor,
          action: input.action,
          target: input.target,
          outcome: input.outcome,
          details: input.details ?? {},
          prevHash: head?.hash ?? genesisHash,
        };
        const event: AuditEvent = { ...partial, hash: hashEvent(partial) };
        await tx.insertInto('audit_events').values(toRow(event)).execute();
        return event;
      });
    } catch (error) {
      if (attempt < 20 && isUniqueViolation(error)) continue;
      throw new AppError('store.failed', `writing audit event ${input.action} failed: ${messageOf(error)}`, {
        fix: 'Check that the store is reachable and writable',
        cause: error,
      });
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
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
  };
}

export interface AuditQuery {
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** Events in chain order; rows are mapped back to domain values here and nowhere else. */
export async function listAudit(store: Store, query: AuditQuery = {}): Promise<AuditEvent[]> {
  let select = store.db.selectFrom('audit_events').selectAll().orderBy('seq', 'asc');
  if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
  if (query.limit !== undefined) select = select.limit(query.limit);
  const rows = await select.execute();
  return rows.map((row) => ({
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
  }));
}
