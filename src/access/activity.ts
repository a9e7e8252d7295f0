import { type AuditEvent, type AuditOutcome, recentAudit } from '../audit/index.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { type AccessRequest, type RequestState, requestStates } from './requests.js';
import { getVisibleRequest, listVisibleRequests } from './visibility.js';

/** One audit entry as a person reads it on a page. */
export interface ActivityItem {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly target: string;
  /** The access request it is about, if any. */
  readonly requestId: string | undefined;
  /** `bob approved dev/payments/ClusterRole/edit`. */
  readonly summary: string;
  /** The state the request entered by this entry, when the entry alone says so. */
  readonly state: RequestState | undefined;
  /** Why, when the entry says: the error of a failed grant, the reason a flow refused it. */
  readonly note: string | undefined;
}

const phrases: Readonly<Record<string, string>> = {
  'access.request': 'requested',
  'access.approve': 'approved',
  'access.auto-approve': 'approved automatically',
  'access.break-glass': 'activated by break-glass',
  'access.deny': 'denied',
  'access.cancel': 'cancelled',
  'access.revoke': 'revoked',
  'access.extend': 'extended',
  'access.clip': 'shortened to the flow maximum',
  'access.grant': 'put in place',
  'access.expire': 'expired',
  'access.pending-expire': 'expired before a decision',
  'access.fail': 'gave up on',
  'access.refuse': 'refused (the flow no longer allows it)',
  'access.credential-issue': 'took a credential for',
  'access.revoke-binding': 'removed the binding of',
  'access.revoke-credential': 'removed the credential of',
  'access.revoke-aws-auth': 'removed the aws-auth mapping of',
  'access.revoke-access-policy': 'removed the access policy of',
};

/** States an entry moves a request into, when it succeeded. */
const states: Readonly<Record<string, RequestState>> = {
  'access.request': 'pending',
  'access.auto-approve': 'approved',
  'access.break-glass': 'approved',
  'access.deny': 'denied',
  'access.cancel': 'cancelled',
  'access.revoke': 'revoked',
  'access.grant': 'active',
  'access.expire': 'expired',
  'access.pending-expire': 'pending-expired',
  'access.fail': 'failed',
  'access.refuse': 'refused',
};

/** The request ids an entry names: `details.id`, or `details.requestIds` for a shared binding. */
function requestIdsOf(event: AuditEvent): string[] {
  const { id, requestIds } = event.details as { id?: unknown; requestIds?: unknown };
  const ids = Array.isArray(requestIds) ? requestIds.filter((value) => typeof value === 'string') : [];
  return typeof id === 'string' ? [id, ...ids] : ids;
}

function itemOf(event: AuditEvent, requestId: string | undefined): ActivityItem {
  const phrase = phrases[event.action] ?? event.action;
  const failed = event.outcome === 'failed' && event.action !== 'access.fail';
  const { error, why, state, reason } = event.details as {
    error?: unknown;
    why?: unknown;
    state?: unknown;
    reason?: unknown;
  };
  const said = [error, why, event.action === 'access.request' ? undefined : reason];
  const note = said.find((value): value is string => typeof value === 'string');
  return {
    seq: event.seq,
    at: event.at,
    actor: event.actor,
    action: event.action,
    outcome: event.outcome,
    target: event.target,
    requestId,
    summary: `${event.actor} ${failed ? `could not: ${phrase}` : phrase} ${event.target}`,
    state: stateOf(event, state),
    note,
  };
}

/** The state the entry moved its request into: named by the entry (decisions), or known by its action. */
function stateOf(event: AuditEvent, named: unknown): RequestState | undefined {
  const known = requestStates.find((candidate) => candidate === named);
  if (known) return known;
  const ending = event.action === 'access.fail' || event.action === 'access.refuse';
  return event.outcome === 'succeeded' || ending ? states[event.action] : undefined;
}

/**
 * The state history of one request, oldest first, from the audit entries about it; for anyone
 * who may see the request (others get the same not-found as for an id that does not exist).
 *
 * @example
 * const { request, history } = await requestHistory(store, principal, id);
 */
export async function requestHistory(
  store: Store,
  principal: Principal,
  id: string,
): Promise<{ request: AccessRequest; history: ActivityItem[] }> {
  const request = await getVisibleRequest(store, principal, id);
  const events = await recentAudit(store, { actionPrefix: 'access.', mentioning: request.id, limit: 1000 });
  const history = events
    .filter((event) => requestIdsOf(event).includes(request.id))
    .map((event) => itemOf(event, request.id))
    .reverse();
  return { request, history };
}

/** How far back {@link recentActivity} reads for a principal who sees only part of the log. */
const scanLimit = 2000;

/**
 * Recent activity this principal may see, newest first: everything for admins and auditors;
 * for others, entries about requests they may see (their own, or those of flows they approve)
 * and their own actions. `olderThan` is the `seq` of the last item of the previous page.
 */
export async function recentActivity(
  store: Store,
  principal: Principal,
  options: { readonly limit?: number; readonly olderThan?: number } = {},
): Promise<ActivityItem[]> {
  const limit = Math.max(1, Math.min(200, options.limit ?? 20));
  const everything = hasRole(principal, 'auditor');
  const visible = everything
    ? undefined
    : new Set((await listVisibleRequests(store, principal)).map((r) => r.id));
  const items: ActivityItem[] = [];
  let before = options.olderThan;
  for (let scanned = 0; items.length < limit && scanned < scanLimit; ) {
    const page = await recentAudit(store, {
      limit: everything ? limit : 200,
      ...(before ? { beforeSeq: before } : {}),
    });
    for (const event of page) {
      const ids = requestIdsOf(event);
      const seen = visible ? ids.find((candidate) => visible.has(candidate)) : ids[0];
      const mine = event.actor === principal.subject && (ids.length === 0 || seen !== undefined);
      if (everything || seen !== undefined || mine) items.push(itemOf(event, seen));
      if (items.length === limit) break;
    }
    if (page.length === 0) break;
    scanned += page.length;
    before = page[page.length - 1]!.seq;
  }
  return items;
}
