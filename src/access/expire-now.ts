import { appendAudit } from '../audit/index.js';
import { describeError } from '../errors.js';
import { mapLimit } from '../map-limit.js';
import { bindingName, grantKey, removeGrant } from '../provisioning/index.js';
import type { KeyedLock } from './keyed-lock.js';
import { grantConcurrency, grantOf, lockKey, type ReconcileOptions } from './reconciler.js';
import { transitionRecorded } from './recorded-transition.js';
import { type AccessRequest, listRequests } from './requests.js';

export interface ExpiryReport {
  readonly expired: readonly string[];
  readonly removed: readonly string[];
  readonly errors: readonly { readonly cluster: string; readonly message: string }[];
  /** The earliest expiry still ahead. */
  readonly nextExpiresAt: string | undefined;
}

/**
 * The event path of an expiry, run at the instant access is due to end: each active request past
 * its expiry is ended, and the binding of a binding-mode request is removed at once (read and
 * deleted by name, under the lock the pass and approvals share) unless another live request holds
 * the same access. Credentials, aws-auth and access entries are left to the pass that follows.
 */
export async function expireDue(
  options: ReconcileOptions & { readonly locks: KeyedLock },
): Promise<ExpiryReport> {
  const now = (options.now ?? (() => new Date()))();
  const { store } = options;
  const report = {
    expired: [] as string[],
    removed: [] as string[],
    errors: [] as { cluster: string; message: string }[],
  };
  const active = await listRequests(store, 'active');
  const due = active.filter((request) => request.expiresAt && Date.parse(request.expiresAt) <= now.getTime());
  await mapLimit(due, grantConcurrency, async (request) => {
    const ended = await transitionRecorded(
      store,
      request,
      {
        from: ['active'],
        to: 'expired',
        changes: { ended_at: request.expiresAt! },
        now,
        ...(request.expiresAt ? { expiresAt: request.expiresAt } : {}),
      },
      { action: 'access.expire' },
    );
    if (!ended) return;
    report.expired.push(request.id);
    if (request.mode === 'binding')
      await removeBinding(options, request, report, now).catch((error: unknown) =>
        report.errors.push({ cluster: request.cluster, message: describeError(error) }),
      );
  });
  const nextExpiresAt = active
    .filter((request) => !due.includes(request))
    .map((request) => request.expiresAt)
    .filter((at): at is string => at !== undefined)
    .sort()[0];
  return { ...report, nextExpiresAt };
}

async function removeBinding(
  options: ReconcileOptions & { readonly locks: KeyedLock },
  request: AccessRequest,
  report: { removed: string[] },
  now: Date,
): Promise<void> {
  const grant = grantOf(request);
  const key = grantKey(grant);
  await options.locks.run(lockKey(request.cluster, key), async () => {
    // Another live request for the same access keeps the binding (the pass narrows its annotations).
    const live = await listRequests(options.store, ['approved', 'active']);
    if (
      live.some(
        (other) =>
          other.cluster === request.cluster && other.mode === 'binding' && grantKey(grantOf(other)) === key,
      )
    )
      return;
    const client = await options.clientFor(request.cluster);
    if ((await removeGrant(client, grant)) === 'absent') return;
    const name = bindingName(grant);
    report.removed.push(
      `${grant.namespace ? 'RoleBinding' : 'ClusterRoleBinding'}/${grant.namespace ? `${grant.namespace}/` : ''}${name}`,
    );
    await appendAudit(
      options.store,
      {
        actor: 'gatehouse',
        action: 'access.revoke-binding',
        target: `${request.cluster}/${grant.namespace ?? '*'}/${name}`,
        outcome: 'succeeded',
        details: { grantKey: key, requestIds: [request.id] },
      },
      () => now,
    );
  });
}
