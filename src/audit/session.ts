import { AppError, describeError, isAppError, messageOf } from '../errors.js';
import type { Store } from '../store/index.js';
import { appendAudit } from './audit-log.js';

export interface AuditedWork<T> {
  readonly actor: string;
  /** Dotted verb, e.g. `forensics.acquire`. */
  readonly action: string;
  readonly target: string;
  readonly work: () => Promise<T>;
  /** Details of the `succeeded` entry, from the result. */
  readonly succeeded?: (result: T) => Readonly<Record<string, unknown>>;
}

/**
 * Runs privileged work between a `started` entry and exactly one ending entry: `succeeded`, or
 * `failed` with the error (and its details, e.g. the id of a package sealed before the failure).
 * Whatever the work throws, the session is ended before the error goes on.
 *
 * @example
 * const acquisition = await audited(store, { actor: 'alice', action: 'forensics.acquire', target: 'prod/web-1', work: () => acquireContainer(options) });
 */
export async function audited<T>(store: Store, options: AuditedWork<T>): Promise<T> {
  const event = { actor: options.actor, action: options.action, target: options.target };
  await appendAudit(store, { ...event, outcome: 'started' });
  let result: T;
  try {
    result = await options.work();
  } catch (error) {
    const details = { error: messageOf(error), ...(isAppError(error) ? error.details : {}) };
    try {
      await appendAudit(store, { ...event, outcome: 'failed', details });
    } catch (auditError) {
      throw new AppError(
        'store.failed',
        `${describeError(error)}; recording that failure in the audit log failed too`,
        {
          fix: 'Check that the store is reachable and writable',
          cause: auditError,
        },
      );
    }
    throw error;
  }
  await appendAudit(store, { ...event, outcome: 'succeeded', details: options.succeeded?.(result) ?? {} });
  return result;
}
