import { type AuditInput, appendAudit, auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { getFlow } from './flow-store.js';
import { type AccessFlow, matches, maximumDurationSeconds } from './flows.js';
import { clipRequest, refuseRequest, verdictOf } from './policy-recheck.js';
import { requestFieldLimits } from './request-rules.js';
import { type AccessRequest, getRequest, type RequestState, targetOf, transition } from './requests.js';

export interface DecisionOptions {
  /** Why: shown to the requester in the request's history and kept in the audit log. */
  readonly reason?: string | undefined;
  readonly now?: Date;
}

/** A decision's reason, trimmed; refused when longer than a request's own reason may be. */
function decisionReason(text: string | undefined): string | undefined {
  const reason = text?.trim();
  if (reason && reason.length > requestFieldLimits.reason)
    throw new AppError('input.invalid', `the reason is longer than ${requestFieldLimits.reason} characters`, {
      fix: `Keep the reason to ${requestFieldLimits.reason} characters`,
    });
  return reason || undefined;
}

function entry(
  principal: Principal,
  action: string,
  request: AccessRequest,
  details: Record<string, unknown> = {},
): AuditInput {
  return {
    actor: principal.subject,
    action,
    target: targetOf(request),
    outcome: 'succeeded',
    details: { id: request.id, ...details },
  };
}

function notIn(request: AccessRequest, states: readonly RequestState[], doing: string): AppError {
  return new AppError('conflict', `request ${request.id} is ${request.state}; it cannot be ${doing}`, {
    fix: `Only ${states.join(' or ')} requests can be ${doing}`,
  });
}

/**
 * Before an approval: the request is judged against the flow as it is now, not as it was when it
 * was made. A request the flow no longer allows is ended (audited, announced) and the approval
 * refused; one longer than the flow's maximum now is shortened to it, and says so.
 */
async function holdToCurrentFlow(
  store: Store,
  request: AccessRequest,
  flow: AccessFlow,
  now: Date,
): Promise<void> {
  const verdict = verdictOf(flow, request, 'unread');
  switch (verdict.kind) {
    case 'allowed':
      return;
    case 'clipped':
      await clipRequest(store, request, verdict.seconds, now);
      return;
    case 'refused':
      await refuseRequest(store, request, verdict.why, now);
      throw new AppError(
        'conflict',
        `request ${request.id} is no longer allowed: ${verdict.why}; it has been ended`,
        {
          fix: 'The requester can make a new request under the flow as it is now',
        },
      );
    default: {
      const unknown: never = verdict;
      return unknown;
    }
  }
}

/**
 * An approver's decision. Self-approval is always refused; approvals count toward the flow's
 * `required` number; one denial ends the request.
 */
export async function decide(
  store: Store,
  id: string,
  principal: Principal,
  decision: 'approve' | 'deny',
  options: DecisionOptions = {},
): Promise<AccessRequest> {
  const now = options.now ?? new Date();
  const reason = decisionReason(options.reason);
  const request = await getRequest(store, id);
  if (request.state !== 'pending')
    throw notIn(request, ['pending'], decision === 'approve' ? 'approved' : 'denied');
  if (principal.subject === request.requester) {
    await appendAudit(
      store,
      {
        actor: principal.subject,
        action: `access.${decision}`,
        target: targetOf(request),
        outcome: 'denied',
        details: { id, why: 'self-approval' },
      },
      () => now,
    );
    throw new AppError(
      'auth.forbidden',
      `${principal.subject} requested ${request.id} and cannot ${decision} it`,
      {
        fix: 'Another approver of the flow must decide',
      },
    );
  }
  const flow = await getFlow(store, request.flow);
  if (!matches(flow.approvers, principal.subject, principal.groups)) {
    throw new AppError('auth.forbidden', `${principal.subject} is not an approver of flow ${flow.name}`, {
      fix: `Approvers: users ${flow.approvers.users.join(', ') || '-'}, groups ${flow.approvers.groups.join(', ') || '-'}`,
    });
  }
  if (decision === 'approve') await holdToCurrentFlow(store, request, flow, now);
  // One transaction per decision, serialised on the request's row: the conditional update locks
  // it (PostgreSQL) or the database (SQLite), so concurrent approvers each see the other's vote and
  // a request cancelled meanwhile takes no decision. The decision and its audit entry commit together.
  const outcome = await auditedTransaction(store, async ({ tx, audit }) => {
    const held = await tx
      .updateTable('access_requests')
      .set({ updated_at: now.toISOString() })
      .where('id', '=', request.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) !== 1) return 'not-pending' as const;
    const earlier = await tx
      .selectFrom('access_decisions')
      .select(['approver', 'decision'])
      .where('request_id', '=', request.id)
      .execute();
    if (earlier.some((row) => row.approver === principal.subject)) return 'decided-before' as const;
    await tx
      .insertInto('access_decisions')
      .values({ request_id: request.id, approver: principal.subject, decision, at: now.toISOString() })
      .execute();
    const approvals = new Set([
      ...earlier.filter((row) => row.decision === 'approve').map((row) => row.approver),
      ...(decision === 'approve' ? [principal.subject] : []),
    ]).size;
    const to = decision === 'deny' ? 'denied' : approvals >= flow.approvers.required ? 'approved' : undefined;
    if (to)
      await tx
        .updateTable('access_requests')
        .set({
          state: to,
          updated_at: now.toISOString(),
          ...(to === 'denied' ? { ended_at: now.toISOString() } : {}),
        })
        .where('id', '=', request.id)
        .execute();
    // The state it left the request in, so a request's history reads from its audit entries alone.
    const details = { state: to ?? 'pending', ...(reason ? { reason } : {}) };
    await audit(entry(principal, `access.${decision}`, request, details), () => now);
    return 'decided' as const;
  });
  if (outcome === 'not-pending')
    throw notIn(
      await getRequest(store, request.id),
      ['pending'],
      decision === 'approve' ? 'approved' : 'denied',
    );
  if (outcome === 'decided-before')
    throw new AppError('conflict', `${principal.subject} already decided on ${request.id}`, {
      fix: `Another approver must decide: ${flow.approvers.required} distinct approvals are needed`,
    });
  return await getRequest(store, request.id);
}

/** Ends access early: the requester (self-drop) or an approver. The reconciler removes it. */
export async function revoke(
  store: Store,
  id: string,
  principal: Principal,
  now = new Date(),
): Promise<AccessRequest> {
  const request = await getRequest(store, id);
  const flow = await getFlow(store, request.flow);
  if (
    principal.subject !== request.requester &&
    !matches(flow.approvers, principal.subject, principal.groups)
  ) {
    throw new AppError('auth.forbidden', `${principal.subject} may not revoke ${request.id}`, {
      fix: 'The requester or an approver of the flow can revoke it',
    });
  }
  // Each change is conditional, and the audit names the one that happened: a request approved
  // while its cancel was on the way is revoked, not reported cancelled.
  const ended = { ended_at: now.toISOString() };
  const done = await auditedTransaction(store, async ({ store: scoped, audit }) => {
    const action = (await transition(scoped, request.id, ['pending'], 'cancelled', ended, now))
      ? 'access.cancel'
      : (await transition(scoped, request.id, ['approved', 'active'], 'revoked', ended, now))
        ? 'access.revoke'
        : undefined;
    if (action) await audit(entry(principal, action, request), () => now);
    return action !== undefined;
  });
  if (!done) throw notIn(await getRequest(store, request.id), ['pending', 'approved', 'active'], 'revoked');
  return await getRequest(store, request.id);
}

/** Adds time to active access, up to the flow's maximum in total; approvers only. */
export async function extend(
  store: Store,
  id: string,
  principal: Principal,
  seconds: number,
  now = new Date(),
): Promise<AccessRequest> {
  const request = await getRequest(store, id);
  if (request.state !== 'active' || !request.expiresAt || !request.activatedAt)
    throw notIn(request, ['active'], 'extended');
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > maximumDurationSeconds)
    throw new AppError('input.invalid', `an extension of ${seconds} s is out of range`, {
      fix: 'Extend by 1s to 366d',
    });
  const flow = await getFlow(store, request.flow);
  if (
    !matches(flow.approvers, principal.subject, principal.groups) ||
    principal.subject === request.requester
  ) {
    throw new AppError('auth.forbidden', `${principal.subject} may not extend ${request.id}`, {
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
  // Only the expiry read above is extended: if the request expired or was extended meanwhile, say so.
  const expiry = request.expiresAt;
  const changed = await auditedTransaction(store, async ({ tx, audit }) => {
    const updated = await tx
      .updateTable('access_requests')
      .set({ expires_at: expiresAt.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', request.id)
      .where('state', '=', 'active')
      .where('expires_at', '=', expiry)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    const details = { seconds, expiresAt: expiresAt.toISOString() };
    await audit(entry(principal, 'access.extend', request, details), () => now);
    return true;
  });
  if (!changed)
    throw new AppError('conflict', `request ${request.id} changed while it was being extended`, {
      fix: `Look at it again (gatehouse access show ${request.id.slice(0, 8)}) and extend it if it is still active`,
    });
  return await getRequest(store, request.id);
}
