import { appendAudit } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { getFlow } from './flow-store.js';
import { matches } from './flows.js';
import {
  type AccessRequest,
  type Caller,
  getRequest,
  type RequestState,
  targetOf,
  transition,
} from './requests.js';

async function audit(
  store: Store,
  caller: Caller,
  action: string,
  request: AccessRequest,
  now: Date,
  details: Record<string, unknown> = {},
): Promise<void> {
  await appendAudit(
    store,
    {
      actor: caller.user,
      action,
      target: targetOf(request),
      outcome: 'succeeded',
      details: { id: request.id, ...details },
    },
    () => now,
  );
}

function notIn(request: AccessRequest, states: readonly RequestState[], doing: string): AppError {
  return new AppError('conflict', `request ${request.id} is ${request.state}; it cannot be ${doing}`, {
    fix: `Only ${states.join(' or ')} requests can be ${doing}`,
  });
}

/**
 * An approver's decision. Self-approval is always refused; approvals count toward the flow's
 * `required` number; one denial ends the request.
 */
export async function decide(
  store: Store,
  id: string,
  caller: Caller,
  decision: 'approve' | 'deny',
  now = new Date(),
): Promise<AccessRequest> {
  const request = await getRequest(store, id);
  if (request.state !== 'pending')
    throw notIn(request, ['pending'], decision === 'approve' ? 'approved' : 'denied');
  if (caller.user === request.requester) {
    await appendAudit(
      store,
      {
        actor: caller.user,
        action: `access.${decision}`,
        target: targetOf(request),
        outcome: 'denied',
        details: { id, why: 'self-approval' },
      },
      () => now,
    );
    throw new AppError('auth.forbidden', `${caller.user} requested ${request.id} and cannot ${decision} it`, {
      fix: 'Another approver of the flow must decide',
    });
  }
  const flow = await getFlow(store, request.flow);
  if (!matches(flow.approvers, caller.user, caller.groups)) {
    throw new AppError('auth.forbidden', `${caller.user} is not an approver of flow ${flow.name}`, {
      fix: `Approvers: users ${flow.approvers.users.join(', ') || '-'}, groups ${flow.approvers.groups.join(', ') || '-'}`,
    });
  }
  if (request.approvals.includes(caller.user)) {
    throw new AppError('conflict', `${caller.user} already approved ${request.id}`, {
      fix: `Another approver must decide: ${flow.approvers.required} distinct approvals are needed`,
    });
  }
  // Count distinct approvers in the store after this decision, so concurrent approvers both count.
  const approvals = await store.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('access_decisions')
      .values({ request_id: request.id, approver: caller.user, decision, at: now.toISOString() })
      .execute();
    const rows = await tx
      .selectFrom('access_decisions')
      .select('approver')
      .where('request_id', '=', request.id)
      .where('decision', '=', 'approve')
      .execute();
    return new Set(rows.map((row) => row.approver)).size;
  });
  await audit(store, caller, `access.${decision}`, request, now);
  if (decision === 'deny') {
    await transition(store, request.id, ['pending'], 'denied', { ended_at: now.toISOString() }, now);
  } else if (approvals >= flow.approvers.required) {
    await transition(store, request.id, ['pending'], 'approved', {}, now);
  }
  return await getRequest(store, request.id);
}

/** Ends access early: the requester (self-drop) or an approver. The reconciler removes it. */
export async function revoke(
  store: Store,
  id: string,
  caller: Caller,
  now = new Date(),
): Promise<AccessRequest> {
  const request = await getRequest(store, id);
  const flow = await getFlow(store, request.flow);
  if (caller.user !== request.requester && !matches(flow.approvers, caller.user, caller.groups)) {
    throw new AppError('auth.forbidden', `${caller.user} may not revoke ${request.id}`, {
      fix: 'The requester or an approver of the flow can revoke it',
    });
  }
  if (request.state === 'pending') {
    await transition(store, request.id, ['pending'], 'cancelled', { ended_at: now.toISOString() }, now);
    await audit(store, caller, 'access.cancel', request, now);
  } else if (
    !(await transition(
      store,
      request.id,
      ['approved', 'active'],
      'revoked',
      { ended_at: now.toISOString() },
      now,
    ))
  ) {
    throw notIn(request, ['pending', 'approved', 'active'], 'revoked');
  } else {
    await audit(store, caller, 'access.revoke', request, now);
  }
  return await getRequest(store, request.id);
}

/** Adds time to active access, up to the flow's maximum in total; approvers only. */
export async function extend(
  store: Store,
  id: string,
  caller: Caller,
  seconds: number,
  now = new Date(),
): Promise<AccessRequest> {
  const request = await getRequest(store, id);
  if (request.state !== 'active' || !request.expiresAt || !request.activatedAt)
    throw notIn(request, ['active'], 'extended');
  const flow = await getFlow(store, request.flow);
  if (!matches(flow.approvers, caller.user, caller.groups) || caller.user === request.requester) {
    throw new AppError('auth.forbidden', `${caller.user} may not extend ${request.id}`, {
      fix: 'An approver of the flow other than the requester can extend it',
    });
  }
  const expiresAt = new Date(Date.parse(request.expiresAt) + seconds * 1000);
  if ((expiresAt.getTime() - Date.parse(request.activatedAt)) / 1000 > flow.maxDurationSeconds) {
    throw new AppError(
      'input.invalid',
      `the extension would exceed the ${flow.maxDurationSeconds / 60} min flow ${flow.name} allows`,
      { fix: 'Extend by less, or make a new request' },
    );
  }
  await store.db
    .updateTable('access_requests')
    .set({ expires_at: expiresAt.toISOString(), updated_at: now.toISOString() })
    .where('id', '=', request.id)
    .where('state', '=', 'active')
    .execute();
  await audit(store, caller, 'access.extend', request, now, { seconds, expiresAt: expiresAt.toISOString() });
  return await getRequest(store, request.id);
}
