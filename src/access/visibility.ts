import { AppError, isAppError } from '../errors.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { listFlows } from './flow-store.js';
import { type AccessFlow, matches } from './flows.js';
import { type AccessRequest, getRequest, listRequests, type RequestState } from './requests.js';

/**
 * Who may see a request: admins and auditors, its requester, and the approvers of its flow
 * (`flow` is the request's flow as stored now; undefined when it was deleted).
 */
export function canSeeRequest(
  principal: Principal,
  request: AccessRequest,
  flow: AccessFlow | undefined,
): boolean {
  return (
    hasRole(principal, 'auditor') ||
    request.requester === principal.subject ||
    (flow !== undefined && matches(flow.approvers, principal.subject, principal.groups))
  );
}

/** {@link canSeeRequest} for many requests, the flows read once. */
export async function requestVisibility(
  store: Store,
  principal: Principal,
): Promise<(request: AccessRequest) => boolean> {
  if (hasRole(principal, 'auditor')) return () => true;
  const flows = new Map((await listFlows(store)).map((flow) => [flow.name, flow]));
  return (request) => canSeeRequest(principal, request, flows.get(request.flow));
}

/** The requests the principal may see, newest first. */
export async function listVisibleRequests(
  store: Store,
  principal: Principal,
  state?: RequestState | readonly RequestState[],
): Promise<AccessRequest[]> {
  const visible = await requestVisibility(store, principal);
  return (await listRequests(store, state)).filter(visible);
}

/**
 * The request with this full id if the principal may see it. Someone else's request reads as
 * absent, with the same answer as an id that does not exist: its existence is not theirs to learn.
 * Every action on one request by a remote principal goes through here first.
 */
export async function getVisibleRequest(
  store: Store,
  principal: Principal,
  id: string,
): Promise<AccessRequest> {
  const absent = new AppError('not-found', `no access request ${id.slice(0, 64)}`, {
    fix: 'List the requests you can see with `gatehouse access list`',
  });
  const request = await getRequest(store, id).catch((error: unknown) => {
    throw isAppError(error) && error.code === 'not-found' ? absent : error;
  });
  if (!(await requestVisibility(store, principal))(request)) throw absent;
  return request;
}
