import { type AccessFlow, type AccessRequest, matches } from '../access/index.js';
import type { Principal } from '../identity/index.js';

/**
 * Which buttons a request's page shows this principal. These mirror the capability's own checks
 * only to hide what would be refused; `decide`, `revoke`, `extend` and `issueCredential` still
 * decide every post on their own.
 */
export interface RequestRights {
  readonly decide: boolean;
  readonly revoke: boolean;
  readonly extend: boolean;
  readonly credential: boolean;
}

export function rightsOn(
  principal: Principal,
  request: AccessRequest,
  flow: AccessFlow | undefined,
): RequestRights {
  const requester = principal.subject === request.requester;
  const approver = flow !== undefined && matches(flow.approvers, principal.subject, principal.groups);
  return {
    decide:
      request.state === 'pending' && approver && !requester && !request.approvals.includes(principal.subject),
    revoke: ['pending', 'approved', 'active'].includes(request.state) && (requester || approver),
    extend: request.state === 'active' && approver && !requester,
    credential: request.state === 'active' && request.credential !== undefined && requester,
  };
}

/** Changes when anything on a request's page would: what the event stream compares. */
export function versionOf(request: AccessRequest): string {
  return `${request.state}|${request.updatedAt}|${request.expiresAt ?? ''}|${request.approvals.length}`;
}
