import { randomUUID } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import { type Store, uuidPrefixPattern } from '../store/index.js';
import {
  type AccessFlow,
  type AccessMode,
  type FlowRole,
  matches,
  namespaceAllowed,
  principalArnFor,
} from './flows.js';
import { checkAgainstFlow, namespaceRefused } from './request-rules.js';

/**
 * Every state a request can be in. `failed`: approved, but the access could not be put in place
 * before the pending time-to-live ran out (the last error is kept on the request). `refused`: the
 * flow changed and no longer allows it, found when it was decided, activated or the flow applied
 * (the reason is kept as its last error).
 */
export const requestStates = [
  'pending',
  'approved',
  'active',
  'expired',
  'revoked',
  'denied',
  'cancelled',
  'pending-expired',
  'failed',
  'refused',
] as const;

export type RequestState = (typeof requestStates)[number];

/** A state filter as a user typed it (undefined: no filter); an unknown one names the valid ones. */
export function parseRequestState(value: string | undefined): RequestState | undefined {
  if (value === undefined || value === '') return undefined;
  const state = requestStates.find((candidate) => candidate === value);
  if (!state)
    throw new AppError('input.invalid', `unknown state "${value}"`, {
      fix: `Use one of ${requestStates.join(', ')}`,
    });
  return state;
}

export interface AccessRequest {
  readonly id: string;
  readonly flow: string;
  readonly cluster: string;
  readonly requester: string;
  readonly requesterGroups: readonly string[];
  readonly role: { readonly kind: FlowRole['kind']; readonly name: string };
  /** undefined for a cluster-wide grant. */
  readonly namespace: string | undefined;
  readonly durationSeconds: number;
  readonly reason: string;
  readonly breakGlass: boolean;
  readonly mode: AccessMode;
  /** EKS modes: the requester's IAM principal. */
  readonly principalArn: string | undefined;
  readonly state: RequestState;
  readonly createdAt: string;
  readonly activatedAt: string | undefined;
  readonly expiresAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly approvals: readonly string[];
  /** Credential mode: the per-request ServiceAccount that holds the role. */
  readonly credential: { readonly namespace: string; readonly name: string } | undefined;
  /** The last error met putting this access in place, while it is not in place. */
  readonly lastError: string | undefined;
  /** The last change of state (or of the expiry): for an approved request, when it was approved. */
  readonly updatedAt: string;
}

/** The per-request ServiceAccount's name: stable, short, and found from the request id alone. */
export function credentialAccountName(id: string): string {
  return `gatehouse-${id.replace(/-/g, '').slice(0, 16)}`;
}

export interface NewRequest {
  readonly flow: AccessFlow;
  readonly cluster: string;
  readonly role: { readonly kind: FlowRole['kind']; readonly name: string };
  readonly namespace: string | undefined;
  readonly durationSeconds: number;
  readonly reason: string;
  readonly breakGlass?: boolean;
  /**
   * Reads a namespace's labels from the cluster (undefined: no such namespace). Called only when
   * the flow admits the namespace by its labels alone, and only after every other rule held.
   */
  readonly namespaceLabels?: (namespace: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /**
   * Resolves the cluster as the reconciler will (see `checkRequestCluster`), before anything is
   * stored and only once the caller is known to be allowed. Every front door passes it; only
   * tests of the request rules leave it out.
   */
  readonly checkCluster?: (mode: AccessMode) => Promise<void>;
}

/** How audit entries name an access: cluster/namespace/Kind/name. */
export function targetOf(request: Pick<AccessRequest, 'cluster' | 'namespace' | 'role'>): string {
  return `${request.cluster}/${request.namespace ?? '*'}/${request.role.kind}/${request.role.name}`;
}

/**
 * Checks a request against its flow, names the first rule it breaks, and stores it. The flow's
 * rules are checked before any cluster is touched: a caller who may not use the flow, or asks for
 * a cluster it does not cover, never makes Gatehouse call a cluster.
 */
export async function createRequest(
  store: Store,
  principal: Principal,
  input: NewRequest,
  now = new Date(),
): Promise<AccessRequest> {
  const { flow } = input;
  const breakGlass = input.breakGlass === true;
  const role = checkAgainstFlow(flow, principal, { ...input, breakGlass });
  const principalArn = principalArnFor(flow, principal.subject);
  await input.checkCluster?.(flow.mode);
  if (role.scope === 'namespace' && input.namespace && !namespaceAllowed(flow, input.namespace)) {
    const labels = await input.namespaceLabels?.(input.namespace);
    if (!namespaceAllowed(flow, input.namespace, labels)) throw namespaceRefused(flow, role, input.namespace);
  }
  const autoApproved = matches(flow.autoApprove, principal.subject, principal.groups);
  const state: RequestState = breakGlass || autoApproved ? 'approved' : 'pending';
  const at = now.toISOString();
  const id = randomUUID();
  // The request and its audit entries commit together: neither exists without the other.
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .insertInto('access_requests')
      .values({
        id,
        flow: flow.name,
        cluster: input.cluster,
        requester: principal.subject,
        requester_groups: JSON.stringify(principal.groups),
        role_kind: input.role.kind,
        role_name: input.role.name,
        namespace: input.namespace ?? '',
        duration_seconds: input.durationSeconds,
        reason: input.reason,
        break_glass: breakGlass ? 1 : 0,
        state,
        created_at: at,
        activated_at: null,
        expires_at: null,
        ended_at: null,
        updated_at: at,
        mode: flow.mode,
        credential_namespace: flow.mode === 'credential' ? flow.credentialNamespace : null,
        principal_arn: principalArn ?? null,
      })
      .execute();
    const target = targetOf({ cluster: input.cluster, namespace: input.namespace, role: input.role });
    await audit(
      {
        actor: principal.subject,
        action: 'access.request',
        target,
        outcome: 'succeeded',
        details: { id, flow: flow.name, durationSeconds: input.durationSeconds, reason: input.reason },
      },
      () => now,
    );
    if (breakGlass)
      await audit(
        {
          actor: principal.subject,
          action: 'access.break-glass',
          target,
          outcome: 'succeeded',
          details: { id },
        },
        () => now,
      );
    else if (autoApproved)
      await audit(
        { actor: 'gatehouse', action: 'access.auto-approve', target, outcome: 'succeeded', details: { id } },
        () => now,
      );
  });
  return await getRequest(store, id);
}

type Row = Awaited<ReturnType<typeof selectRows>>[number];

function selectRows(store: Store) {
  return store.db.selectFrom('access_requests').selectAll().execute();
}

/** Approvers of each request, in one query. */
async function approvalsOf(store: Store, ids: readonly string[]): Promise<Map<string, string[]>> {
  const approvals = new Map<string, string[]>();
  if (ids.length === 0) return approvals;
  const rows = await store.db
    .selectFrom('access_decisions')
    .select(['request_id', 'approver'])
    .where('decision', '=', 'approve')
    .where('request_id', 'in', [...ids])
    .execute();
  for (const row of rows)
    approvals.set(row.request_id, [...(approvals.get(row.request_id) ?? []), row.approver]);
  return approvals;
}

function toRequest(row: Row, approvers: readonly string[]): AccessRequest {
  return {
    id: row.id,
    flow: row.flow,
    cluster: row.cluster,
    requester: row.requester,
    requesterGroups: JSON.parse(row.requester_groups) as string[],
    role: { kind: row.role_kind as FlowRole['kind'], name: row.role_name },
    namespace: row.namespace || undefined,
    durationSeconds: Number(row.duration_seconds),
    reason: row.reason,
    breakGlass: Number(row.break_glass) === 1,
    mode: row.mode as AccessMode,
    principalArn: row.principal_arn ?? undefined,
    state: row.state as RequestState,
    createdAt: row.created_at,
    activatedAt: row.activated_at ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    endedAt: row.ended_at ?? undefined,
    approvals: [...approvers],
    credential:
      row.mode === 'credential' && row.credential_namespace
        ? { namespace: row.credential_namespace, name: credentialAccountName(row.id) }
        : undefined,
    lastError: row.last_error ?? undefined,
    updatedAt: row.updated_at,
  };
}

/** One request by its full id; ids over the API are never prefixes, so nothing else is revealed. */
export async function getRequest(store: Store, id: string): Promise<AccessRequest> {
  const row = await store.db
    .selectFrom('access_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not-found', `no access request ${id.slice(0, 64)}`, {
      fix: 'List requests with `gatehouse access list`',
    });
  return toRequest(row, (await approvalsOf(store, [row.id])).get(row.id) ?? []);
}

/**
 * The full id of the one request whose id starts with this prefix: for people typing ids at the
 * CLI. A prefix is hex digits and dashes only, so no LIKE wildcard can match other requests.
 */
export async function resolveRequestId(store: Store, prefix: string): Promise<string> {
  const pattern = uuidPrefixPattern(prefix);
  if (!pattern)
    throw new AppError('input.invalid', `"${prefix.slice(0, 64)}" is not a request id`, {
      fix: 'Give the id, or its first characters, as shown by `gatehouse access list`',
    });
  const rows = await store.db
    .selectFrom('access_requests')
    .select('id')
    .where('id', 'like', pattern)
    .limit(2)
    .execute();
  if (rows.length !== 1)
    throw new AppError(
      'not-found',
      rows.length === 0 ? `no access request ${prefix}` : `request id ${prefix} is ambiguous`,
      { fix: 'List requests with `gatehouse access list`; give more characters of the id' },
    );
  return rows[0]!.id;
}

/** Requests, newest first; only those in the given states when states are given. */
export async function listRequests(
  store: Store,
  state?: RequestState | readonly RequestState[],
): Promise<AccessRequest[]> {
  let query = store.db.selectFrom('access_requests').selectAll().orderBy('created_at', 'desc');
  const states = state === undefined ? [] : typeof state === 'string' ? [state] : state;
  if (states.length > 0) query = query.where('state', 'in', [...states]);
  const rows = await query.execute();
  // Large IN lists are split: SQLite allows 32k parameters, PostgreSQL 65k.
  const approvals = new Map<string, string[]>();
  for (let start = 0; start < rows.length; start += 5000)
    for (const [id, list] of await approvalsOf(
      store,
      rows.slice(start, start + 5000).map((row) => row.id),
    ))
      approvals.set(id, list);
  return rows.map((row) => toRequest(row, approvals.get(row.id) ?? []));
}

/**
 * Which of these request ids the store knows (bindings of requests it does not know belong to
 * another store). Only the ids asked about are read, so history does not slow the reconciler.
 */
/**
 * The state of each of these requests this store knows, read now: ids it does not know belong to
 * another Gatehouse store.
 */
export async function currentStates(store: Store, ids: Iterable<string>): Promise<Map<string, RequestState>> {
  const wanted = [...new Set(ids)];
  const states = new Map<string, RequestState>();
  for (let start = 0; start < wanted.length; start += 5000) {
    const rows = await store.db
      .selectFrom('access_requests')
      .select(['id', 'state'])
      .where('id', 'in', wanted.slice(start, start + 5000))
      .execute();
    for (const row of rows) states.set(row.id, row.state as RequestState);
  }
  return states;
}

/** Moves a request from one state to another only if it is still in the expected one. */
export async function transition(
  store: Store,
  id: string,
  from: readonly RequestState[],
  to: RequestState,
  changes: Partial<{ activated_at: string; expires_at: string; ended_at: string; last_error: string | null }>,
  now: Date,
  /** Only if the expiry is still this one (an extension made meanwhile wins). */
  expiresAt?: string,
): Promise<boolean> {
  let query = store.db
    .updateTable('access_requests')
    .set({ state: to, updated_at: now.toISOString(), ...changes })
    .where('id', '=', id)
    .where('state', 'in', [...from]);
  if (expiresAt !== undefined) query = query.where('expires_at', '=', expiresAt);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
