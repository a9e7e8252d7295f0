import { appendAudit, auditedTransaction } from '../audit/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError, describeError, messageOf } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import { mapLimit } from '../map-limit.js';
import {
  type AccessGrant,
  addAwsAuthMapping,
  applyGrant,
  ensureServiceAccount,
  grantKey,
} from '../provisioning/index.js';
import { parseServiceAccountUser } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { holdApprovedToFlows } from './activation-check.js';
import { notEksError } from './cluster-check.js';
import { reconcileAccessEntries, removeAwsAuthLeftovers } from './eks-grants.js';
import { KeyedLock } from './keyed-lock.js';
import { removeLeftovers } from './leftovers.js';
import { transitionRecorded } from './recorded-transition.js';
import { type AccessRequest, listRequests, targetOf } from './requests.js';

export interface ReconcileOptions {
  readonly store: Store;
  /** A client with Gatehouse's own credentials for a cluster name. */
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  /** EKS access entries of a cluster, for access-entry mode (undefined: not an EKS cluster Gatehouse knows). */
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  readonly now?: () => Date;
  /** Pending requests older than this expire (default one hour). */
  readonly pendingTtlSeconds?: number;
  /** Shared with the approval path ({@link grantNow}) when both run in one process. */
  readonly locks?: KeyedLock;
}

export interface ReconcileReport {
  readonly expired: readonly string[];
  readonly activated: readonly string[];
  readonly applied: readonly string[];
  readonly removed: readonly string[];
  /** Approved requests ended because their flow no longer allows them. */
  readonly refused: readonly string[];
  readonly errors: readonly { readonly cluster: string; readonly message: string }[];
  /** The earliest expiry among active access after this pass: when the next pass is due at the latest. */
  readonly nextExpiresAt: string | undefined;
}

/** How the reconciler records what it did to a request: as `gatehouse`, at the pass's time. */
export function passAudit(store: Store, now: Date): ClusterPass['audit'] {
  return (action, request, outcome = 'succeeded', details = {}) =>
    appendAudit(
      store,
      {
        actor: 'gatehouse',
        action,
        target: targetOf(request),
        outcome,
        details: { id: request.id, ...details },
      },
      () => now,
    );
}

/** The binding that gives a request's requester its role. */
export function grantOf(request: AccessRequest): AccessGrant {
  const roleKind = request.role.kind;
  if (roleKind === 'AccessPolicy')
    throw new Error(`request ${request.id}: an access policy is not a binding`);
  const roleRef = { kind: roleKind, name: request.role.name };
  if (request.credential)
    return {
      subject: { kind: 'ServiceAccount', ...request.credential },
      roleRef,
      namespace: request.namespace,
    };
  const account = parseServiceAccountUser(request.requester);
  return {
    subject: account
      ? { kind: 'ServiceAccount', name: account.name, namespace: account.namespace }
      : { kind: 'User', name: request.requester },
    roleRef,
    namespace: request.namespace,
  };
}

/**
 * One level-triggered pass: the store says what must hold, the cluster is made to match. Overdue
 * access is expired first; approved access is granted and its clock starts only then; every
 * binding Gatehouse owns that no active request needs is removed. Overlapping requests for the
 * same access share one binding, so one expiry never cuts another's access. Safe to run at any
 * time, as often as wanted, and after any crash.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const now = (options.now ?? (() => new Date()))();
  const { store } = options;
  const report = {
    expired: [] as string[],
    activated: [] as string[],
    applied: [] as string[],
    removed: [] as string[],
    refused: [] as string[],
    errors: [] as { cluster: string; message: string }[],
    nextExpiresAt: undefined as string | undefined,
  };
  const audit = passAudit(store, now);
  const ttl = (options.pendingTtlSeconds ?? 3600) * 1000;
  for (const request of await listRequests(store, ['pending', 'approved', 'active'])) {
    if (request.state === 'pending' && now.getTime() - Date.parse(request.createdAt) > ttl)
      await transitionRecorded(
        store,
        request,
        { from: ['pending'], to: 'pending-expired', changes: { ended_at: now.toISOString() }, now },
        { action: 'access.pending-expire' },
      );
    // Approved access that could not be put in place within the time-to-live is given up, loudly.
    if (request.state === 'approved' && now.getTime() - Date.parse(request.updatedAt) > ttl)
      await transitionRecorded(
        store,
        request,
        { from: ['approved'], to: 'failed', changes: { ended_at: now.toISOString() }, now },
        {
          action: 'access.fail',
          outcome: 'failed',
          details: { error: request.lastError ?? 'not granted in time' },
        },
      );
    if (
      request.state === 'active' &&
      request.expiresAt &&
      Date.parse(request.expiresAt) <= now.getTime() &&
      (await transitionRecorded(
        store,
        request,
        {
          from: ['active'],
          to: 'expired',
          changes: { ended_at: request.expiresAt },
          now,
          expiresAt: request.expiresAt,
        },
        { action: 'access.expire' },
      ))
    )
      report.expired.push(request.id);
  }
  // Granting is when approved access takes effect: it must still be what the flow allows now.
  const unjudged = await holdApprovedToFlows({ store, clientFor: options.clientFor, now, report });
  const live = (await listRequests(store, ['approved', 'active'])).filter(
    (request) => !unjudged.has(request.id),
  );
  const modes = await store.db.selectFrom('access_requests').select(['cluster', 'mode']).distinct().execute();
  const failed = (cluster: string, error: unknown) =>
    report.errors.push({ cluster, message: describeError(error) });
  for (const cluster of new Set(modes.map((row) => row.cluster))) {
    const ofCluster = live.filter((request) => request.cluster === cluster);
    const ofModes = new Set(modes.filter((row) => row.cluster === cluster).map((row) => row.mode));
    // Bindings need the Kubernetes API; access entries only the AWS API: one failing never holds up the other.
    if ([...ofModes].some((mode) => mode !== 'access-entry'))
      try {
        await reconcileCluster({
          client: await options.clientFor(cluster),
          locks: options.locks ?? new KeyedLock(),
          cluster,
          live: ofCluster.filter((request) => request.mode !== 'access-entry'),
          now,
          report,
          audit,
          store,
        });
      } catch (error) {
        failed(cluster, error);
      }
    if (ofModes.has('access-entry'))
      try {
        await reconcileAccessEntries({
          port: () => portFor(options, cluster),
          cluster,
          live: ofCluster.filter((request) => request.mode === 'access-entry'),
          now,
          report,
          audit,
          store,
        });
      } catch (error) {
        failed(cluster, error);
      }
  }
  report.nextExpiresAt = (await listRequests(store, 'active'))
    .map((request) => request.expiresAt)
    .filter((at): at is string => at !== undefined)
    .sort()[0];
  return report;
}

export interface ClusterPass {
  readonly client: KubeClient;
  readonly cluster: string;
  readonly live: readonly AccessRequest[];
  readonly now: Date;
  readonly report: {
    activated: string[];
    applied: string[];
    removed: string[];
    errors: { cluster: string; message: string }[];
  };
  readonly audit: (
    action: string,
    request: AccessRequest,
    outcome?: 'succeeded' | 'failed',
    details?: Record<string, unknown>,
  ) => Promise<unknown>;
  readonly store: Store;
}

interface DesiredGrant {
  readonly grant: AccessGrant;
  readonly requests: AccessRequest[];
}

/** API calls a pass makes at once on one cluster. */
export const grantConcurrency = 16;

async function reconcileCluster({
  client,
  locks,
  cluster,
  live,
  now,
  report,
  audit,
  store,
}: ClusterPass & { readonly locks: KeyedLock }): Promise<void> {
  const desired = new Map<string, DesiredGrant>();
  for (const request of live) {
    try {
      const grant = grantOf(request);
      const key = grantKey(grant);
      desired.set(key, { grant, requests: [...(desired.get(key)?.requests ?? []), request] });
    } catch (error) {
      await grantFailed({ cluster, report, store }, [request], error);
    }
  }
  // Each grant stands alone: one that cannot be made (a bad record, an API error) is reported
  // on its requests and never keeps the others, or the removals below, from running.
  const grantOne = async ([key, { grant, requests }]: [string, DesiredGrant]): Promise<void> => {
    try {
      await locks.run(lockKey(cluster, key), async () => {
        await putInPlace({ client, cluster, now, report, store }, key, grant, requests);
        await activate(store, requests, now, report);
      });
    } catch (error) {
      await grantFailed({ cluster, report, store }, requests, error).catch((failure: unknown) =>
        report.errors.push({ cluster, message: describeError(failure) }),
      );
    }
  };
  // Grants go in parallel, so a burst of approvals costs one round trip, not one each; aws-auth
  // edits rewrite one ConfigMap and go one at a time so they do not fight over its version.
  const entries = [...desired];
  const editsAwsAuth = ([, { requests }]: [string, DesiredGrant]) =>
    requests.some((request) => request.mode === 'aws-auth');
  const failed = (error: unknown) => report.errors.push({ cluster, message: describeError(error) });
  // Removals run beside the grants (they touch only what no live request wants), even when
  // granting fails, and one kind failing never holds up the other. aws-auth is one ConfigMap:
  // its removals wait for its grants.
  await Promise.all([
    mapLimit(
      entries.filter((entry) => !editsAwsAuth(entry)),
      grantConcurrency,
      grantOne,
    ),
    removeLeftovers({ client, cluster, live, now, report, audit, store, desired, locks }).catch(failed),
    (async () => {
      await mapLimit(entries.filter(editsAwsAuth), 1, grantOne);
      await removeAwsAuthLeftovers({ client, cluster, live, store, now, report }).catch(failed);
    })(),
  ]);
}

/** The lock a grant is written under: one per binding of one cluster. */
export const lockKey = (cluster: string, grantKey: string): string => `${cluster}\u0000${grantKey}`;

/** The latest expiry among requests sharing a grant; one not active yet counts from now. */
function grantExpiry(requests: readonly AccessRequest[], now: Date): string {
  return requests
    .map((request) => request.expiresAt ?? expiryFrom(now, request.durationSeconds))
    .sort()
    .at(-1)!;
}

/** now + seconds as an ISO date; a duration out of the Date range is an error of that request. */
function expiryFrom(now: Date, seconds: number): string {
  const at = new Date(now.getTime() + seconds * 1000);
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || Number.isNaN(at.getTime()))
    throw new AppError('input.invalid', `a duration of ${seconds} s is out of range`, {
      fix: 'Revoke this request and make a new one with a duration from 1s to 366d',
    });
  return at.toISOString();
}

export async function putInPlace(
  {
    client,
    cluster,
    now,
    report,
    store,
  }: Pick<ClusterPass, 'client' | 'cluster' | 'now' | 'report' | 'store'>,
  key: string,
  grant: AccessGrant,
  requests: readonly AccessRequest[],
  hints: { readonly likelyNew?: boolean } = {},
): Promise<void> {
  const expiresAt = grantExpiry(requests, now);
  for (const request of requests) {
    if (request.credential)
      await ensureServiceAccount(client, { ...request.credential, requestId: request.id });
    // aws-auth mode: the requester's IAM principal authenticates as the requester for the grant's length.
    if (request.mode === 'aws-auth' && request.principalArn)
      await addAwsAuthMapping(
        client,
        { arn: request.principalArn, username: request.requester, groups: [] },
        { store, cluster, reason: `access request ${request.id}` },
      );
  }
  const outcome = await applyGrant(client, grant, {
    requestIds: requests.map((request) => request.id),
    expiresAt,
    ...hints,
  });
  if (outcome !== 'unchanged') report.applied.push(key);
}

/**
 * Records why approved access could not be put in place. The audit log and webhooks hear of it
 * once per cause, not on every pass; the pending time-to-live ends requests that never get it.
 */
export async function grantFailed(
  pass: Pick<ClusterPass, 'cluster' | 'report' | 'store'>,
  requests: readonly AccessRequest[],
  error: unknown,
): Promise<void> {
  const message = describeError(error);
  pass.report.errors.push({ cluster: pass.cluster, message });
  for (const request of requests) {
    if (request.state !== 'approved' || request.lastError === message) continue;
    await auditedTransaction(pass.store, async ({ tx, audit }) => {
      const changed = await tx
        .updateTable('access_requests')
        .set({ last_error: message })
        .where('id', '=', request.id)
        .where('state', '=', 'approved')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 1)
        await audit({
          actor: 'gatehouse',
          action: 'access.grant',
          target: targetOf(request),
          outcome: 'failed',
          details: { id: request.id, error: messageOf(error) },
        });
    });
  }
}

/** Starts the clock of approved requests whose access now holds: the duration counts from here. */
export async function activate(
  store: Store,
  requests: readonly AccessRequest[],
  now: Date,
  report: { activated: string[] },
): Promise<void> {
  for (const request of requests.filter((candidate) => candidate.state === 'approved')) {
    const expires = expiryFrom(now, request.durationSeconds);
    if (
      await transitionRecorded(
        store,
        request,
        {
          from: ['approved'],
          to: 'active',
          changes: { activated_at: now.toISOString(), expires_at: expires, last_error: null },
          now,
        },
        { action: 'access.grant', details: { expiresAt: expires } },
      )
    )
      report.activated.push(request.id);
  }
}

async function portFor(options: ReconcileOptions, cluster: string): Promise<EksAccessEntriesPort> {
  const port = await options.accessEntriesFor?.(cluster);
  if (!port) throw notEksError(cluster);
  return port;
}
