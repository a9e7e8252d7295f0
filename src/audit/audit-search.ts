import { sql } from 'kysely';
import type { Store } from '../store/index.js';
import { type AuditEvent, auditEventOf } from './audit-log.js';

export interface AuditSearch {
  /** Only entries whose action starts with this, e.g. `access.`. */
  readonly actionPrefix?: string;
  /**
   * Only entries whose details hold this exact string as a value somewhere (a request id):
   * matched on the stored JSON, so callers still check which field holds it.
   */
  readonly mentioning?: string;
  /** Only entries older than this one (paging back from the newest). */
  readonly beforeSeq?: number;
  /** At most this many, 1 to 1000. */
  readonly limit: number;
}

/**
 * Entries newest first, for pages that show recent activity or one object's history; the chain
 * order of {@link listAudit} is for verification and export.
 *
 * @example
 * const history = await recentAudit(store, { actionPrefix: 'access.', mentioning: requestId, limit: 200 });
 */
export async function recentAudit(store: Store, search: AuditSearch): Promise<AuditEvent[]> {
  const limit = Math.max(1, Math.min(1000, Math.floor(search.limit)));
  let select = store.db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(limit);
  if (search.beforeSeq !== undefined) select = select.where('seq', '<', search.beforeSeq);
  if (search.actionPrefix !== undefined)
    select = select.where(sql<boolean>`action like ${`${likeEscaped(search.actionPrefix)}%`} escape '!'`);
  if (search.mentioning !== undefined)
    select = select.where(
      sql<boolean>`details like ${`%${likeEscaped(JSON.stringify(search.mentioning))}%`} escape '!'`,
    );
  return (await select.execute()).map(auditEventOf);
}

/** A value taken literally by LIKE: its wildcards and the escape character escaped. */
function likeEscaped(value: string): string {
  return value.replace(/[!%_]/g, (character) => `!${character}`);
}
