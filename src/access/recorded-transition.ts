import { auditedTransaction } from '../audit/index.js';
import { type AccessRequest, type RequestState, targetOf, transition } from './requests.js';

export interface Move {
  readonly from: readonly RequestState[];
  readonly to: RequestState;
  readonly changes: Parameters<typeof transition>[4];
  readonly now: Date;
  /** Only if the expiry is still this one (an extension made meanwhile wins). */
  readonly expiresAt?: string;
}

export interface Entry {
  readonly action: string;
  readonly outcome?: 'succeeded' | 'failed' | 'denied';
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Moves a request from one state to another and records it in the audit log as `gatehouse`, in
 * one transaction: the change and its entry commit together or not at all. True if it moved.
 */
export async function transitionRecorded(
  store: Parameters<typeof transition>[0],
  request: AccessRequest,
  move: Move,
  entry: Entry,
): Promise<boolean> {
  return await auditedTransaction(store, async ({ store: scoped, audit }) => {
    const moved = await transition(
      scoped,
      request.id,
      move.from,
      move.to,
      move.changes,
      move.now,
      move.expiresAt,
    );
    if (moved)
      await audit(
        {
          actor: 'gatehouse',
          action: entry.action,
          target: targetOf(request),
          outcome: entry.outcome ?? 'succeeded',
          details: { id: request.id, ...entry.details },
        },
        () => move.now,
      );
    return moved;
  });
}
