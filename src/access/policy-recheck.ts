import { auditedTransaction } from '../audit/index.js';
import type { Store } from '../store/index.js';
import {
  type AccessFlow,
  matches,
  maximumDurationSeconds,
  minimumCredentialGrantSeconds,
  namespaceAllowed,
  principalArnFor,
} from './flows.js';
import { transitionRecorded } from './recorded-transition.js';
import { type AccessRequest, listRequests, targetOf } from './requests.js';

/** What the current flow says of a request made under an earlier version of it. */
export type Verdict =
  | { readonly kind: 'allowed' }
  /** Allowed, for no longer than the flow's maximum now is. */
  | { readonly kind: 'clipped'; readonly seconds: number }
  | { readonly kind: 'refused'; readonly why: string };

type Labels = Readonly<Record<string, string>>;

/**
 * Whether the flow admits the namespace by its labels alone, so they must be read from the cluster
 * before the request can be judged.
 */
export function needsNamespaceLabels(flow: AccessFlow | undefined, request: AccessRequest): boolean {
  return (
    flow?.namespaceSelector !== undefined &&
    request.namespace !== undefined &&
    !namespaceAllowed(flow, request.namespace)
  );
}

function principalStillMatches(flow: AccessFlow, request: AccessRequest): boolean {
  try {
    return principalArnFor(flow, request.requester) === request.principalArn;
  } catch {
    // A template that no longer fits this user name gives no principal: not the one requested.
    return false;
  }
}

/** The first rule of the flow the request breaks now, if any (the duration aside). */
function breach(
  flow: AccessFlow,
  request: AccessRequest,
  labels: Labels | 'unread' | undefined,
): string | undefined {
  const { requester, requesterGroups: groups } = request;
  const breakGlass = request.breakGlass && matches(flow.breakGlass, requester, groups);
  if (!matches(flow.requesters, requester, groups) && !breakGlass)
    return `${requester} is no longer a requester of flow ${flow.name}`;
  if (!flow.clusters.includes('*') && !flow.clusters.includes(request.cluster))
    return `flow ${flow.name} no longer covers cluster ${request.cluster}`;
  const role = flow.roles.find(
    (offered) => offered.kind === request.role.kind && offered.name === request.role.name,
  );
  if (!role) return `flow ${flow.name} no longer offers ${request.role.kind}/${request.role.name}`;
  if ((role.scope === 'cluster') !== (request.namespace === undefined))
    return `flow ${flow.name} now grants ${role.kind}/${role.name} ${role.scope === 'cluster' ? 'cluster-wide' : 'per namespace'}`;
  const namespace = request.namespace;
  // Unread labels leave a selector match to the next step that can read them (activation).
  if (namespace !== undefined && !(labels === 'unread' && needsNamespaceLabels(flow, request)))
    if (!namespaceAllowed(flow, namespace, labels === 'unread' ? undefined : labels))
      return `namespace ${namespace} is no longer in flow ${flow.name}`;
  if (flow.mode !== request.mode) return `flow ${flow.name} now grants access in mode ${flow.mode}`;
  if (!principalStillMatches(flow, request))
    return `flow ${flow.name} now maps ${requester} to another IAM principal`;
  return undefined;
}

/**
 * Judges a request against the flow as it is now. `labels`: the namespace's labels as read from
 * the cluster, or `unread` where the step cannot read them. A request whose flow is gone, or whose
 * requester, cluster, role or namespace the flow dropped, is refused; a duration longer than the
 * flow's maximum now (or out of any range) is clipped to it.
 */
export function verdictOf(
  flow: AccessFlow | undefined,
  request: AccessRequest,
  labels: Labels | 'unread' | undefined,
): Verdict {
  if (!flow) return { kind: 'refused', why: `flow ${request.flow} no longer exists` };
  const why = breach(flow, request, labels);
  if (why) return { kind: 'refused', why };
  const limit = Math.min(flow.maxDurationSeconds, maximumDurationSeconds);
  const seconds = request.durationSeconds;
  const inRange = Number.isSafeInteger(seconds) && seconds > 0 && seconds <= limit;
  const granted = inRange ? seconds : limit;
  if (flow.mode === 'credential' && granted < minimumCredentialGrantSeconds)
    return {
      kind: 'refused',
      why: `flow ${flow.name} now allows ${Math.floor(limit / 60)} min, too short for a credential (10 min at least)`,
    };
  return inRange ? { kind: 'allowed' } : { kind: 'clipped', seconds: limit };
}

/** Ends a pending or approved request the flow no longer allows; audited (and so announced). */
export async function refuseRequest(
  store: Store,
  request: AccessRequest,
  why: string,
  now: Date,
): Promise<boolean> {
  return await transitionRecorded(
    store,
    request,
    {
      from: ['pending', 'approved'],
      to: 'refused',
      changes: { ended_at: now.toISOString(), last_error: why },
      now,
    },
    { action: 'access.refuse', outcome: 'denied', details: { flow: request.flow, why } },
  );
}

/** Shortens a not-yet-active request to the flow's maximum now; audited (and so announced). */
export async function clipRequest(
  store: Store,
  request: AccessRequest,
  seconds: number,
  now: Date,
): Promise<AccessRequest | undefined> {
  // The change and its audit entry commit together or not at all.
  const clipped = await auditedTransaction(store, async ({ tx, audit }) => {
    const changed = await tx
      .updateTable('access_requests')
      .set({ duration_seconds: seconds, updated_at: now.toISOString() })
      .where('id', '=', request.id)
      .where('state', 'in', ['pending', 'approved'])
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) return false;
    await audit(
      {
        actor: 'gatehouse',
        action: 'access.clip',
        target: targetOf(request),
        outcome: 'succeeded',
        details: {
          id: request.id,
          flow: request.flow,
          fromSeconds: request.durationSeconds,
          toSeconds: seconds,
        },
      },
      () => now,
    );
    return true;
  });
  return clipped ? { ...request, durationSeconds: seconds, updatedAt: now.toISOString() } : undefined;
}

/**
 * After flows are applied: ends the pending requests of those flows that they no longer allow
 * (a namespace admitted by labels is judged at activation, where the cluster is read). The ids ended.
 */
export async function refuseDisallowedPending(
  store: Store,
  flows: readonly AccessFlow[],
  now = new Date(),
): Promise<string[]> {
  const byName = new Map(flows.map((flow) => [flow.name, flow]));
  const refused: string[] = [];
  for (const request of await listRequests(store, 'pending')) {
    if (!byName.has(request.flow)) continue;
    const verdict = verdictOf(byName.get(request.flow), request, 'unread');
    if (verdict.kind === 'refused' && (await refuseRequest(store, request, verdict.why, now)))
      refused.push(request.id);
  }
  return refused;
}
