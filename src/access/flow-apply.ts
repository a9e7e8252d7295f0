import { type Principal, requireRole } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { saveFlows } from './flow-store.js';
import type { AccessFlow } from './flows.js';
import { refuseDisallowedPending } from './policy-recheck.js';

export interface AppliedFlows {
  readonly applied: readonly string[];
  /** Pending requests ended because the flows as they are now no longer allow them. */
  readonly refused: readonly string[];
}

/** Which door a change came through, for the audit entry (the CLI's entries name none). */
function via(principal: Principal): { readonly via?: string } {
  const kind = principal.authenticatedBy.kind;
  switch (kind) {
    case 'api-token':
      return { via: 'api' };
    case 'session':
      return { via: 'console' };
    case 'local':
      return {};
    case 'agent':
    case 'replica':
      return { via: kind };
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
}

/**
 * Stores access flows for an admin, audits each, and holds pending requests to the flows as they
 * are now, not as they were when the requests were made.
 *
 * @example
 * const { applied, refused } = await applyFlows(store, principal, parseFlowFile(text, 'flows.yaml'));
 */
export async function applyFlows(
  store: Store,
  principal: Principal,
  flows: readonly AccessFlow[],
): Promise<AppliedFlows> {
  requireRole(principal, 'admin', 'change access flows');
  // Each flow is saved with its audit entry, in one transaction.
  await saveFlows(store, flows, principal.subject, new Date(), via(principal));
  const refused = await refuseDisallowedPending(store, flows);
  return { applied: flows.map((flow) => flow.name), refused };
}
