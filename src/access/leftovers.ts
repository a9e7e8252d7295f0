import { appendAudit } from '../audit/index.js';
import { describeError } from '../errors.js';
import { mapLimit } from '../map-limit.js';
import {
  listOwnedBindings,
  listOwnedServiceAccounts,
  removeOwnedBinding,
  removeServiceAccount,
} from '../provisioning/index.js';
import type { KeyedLock } from './keyed-lock.js';
import { type ClusterPass, grantConcurrency, lockKey } from './reconciler.js';
import { currentStates } from './requests.js';

/** Removes owned bindings no live request needs, and ServiceAccounts of requests that ended. */
export async function removeLeftovers({
  client,
  cluster,
  live,
  now,
  report,
  store,
  desired,
  locks,
}: ClusterPass & {
  readonly desired: ReadonlyMap<string, unknown>;
  readonly locks: KeyedLock;
}): Promise<void> {
  const liveIds = new Set(live.map((request) => request.id));
  const credentialNamespaces = await store.db
    .selectFrom('access_requests')
    .select('credential_namespace')
    .distinct()
    .where('cluster', '=', cluster)
    .where('mode', '=', 'credential')
    .execute();
  const namespaces = credentialNamespaces.flatMap((row) =>
    row.credential_namespace ? [row.credential_namespace] : [],
  );
  const failed = (step: string, error: unknown) =>
    report.errors.push({
      cluster,
      message: `${step}: ${describeError(error)}`,
    });
  // Each step fails on its own: a namespace Gatehouse may not read never holds up removing bindings.
  const accounts = [];
  for (const namespace of namespaces)
    accounts.push(
      ...(await listOwnedServiceAccounts(client, [namespace]).catch((error: unknown) => {
        failed(`listing request ServiceAccounts in ${namespace}`, error);
        return [];
      })),
    );
  const bindings = await listOwnedBindings(client);
  // Bindings of requests this store does not know belong to another Gatehouse store: left alone.
  // Read after the listings: a grant put in place since this pass began (an approval handled at
  // once, beside the pass) is live by now, and is kept.
  const states = await currentStates(store, [
    ...accounts.map((account) => account.requestId),
    ...bindings.flatMap((binding) => binding.requestIds),
  ]);
  const liveNow = (id: string) => liveIds.has(id) || ['approved', 'active'].includes(states.get(id) ?? '');
  const endedAccounts = accounts.filter(
    (account) => !liveNow(account.requestId) && states.has(account.requestId),
  );
  await mapLimit(endedAccounts, grantConcurrency, async (account) => {
    try {
      await removeServiceAccount(client, account);
    } catch (error) {
      failed(`removing ServiceAccount ${account.namespace}/${account.name}`, error);
      return;
    }
    report.removed.push(`ServiceAccount/${account.namespace}/${account.name}`);
    await appendAudit(
      store,
      {
        actor: 'gatehouse',
        action: 'access.revoke-credential',
        target: `${cluster}/${account.namespace}/ServiceAccount/${account.name}`,
        outcome: 'succeeded',
        details: { id: account.requestId },
      },
      () => now,
    );
  });
  const unneeded = bindings.filter(
    (binding) =>
      !desired.has(binding.grantKey) &&
      binding.requestIds.length > 0 &&
      binding.requestIds.every((id) => states.has(id)) &&
      !binding.requestIds.some(liveNow),
  );
  await mapLimit(unneeded, grantConcurrency, async (binding) => {
    try {
      // Under the binding's lock: the expiry path may have removed it a moment ago.
      const removed = await locks.run(lockKey(cluster, binding.grantKey), () =>
        removeOwnedBinding(client, binding),
      );
      if (!removed) return;
    } catch (error) {
      failed(
        `removing ${binding.kind} ${binding.namespace ? `${binding.namespace}/` : ''}${binding.name}`,
        error,
      );
      return;
    }
    report.removed.push(`${binding.kind}/${binding.namespace ? `${binding.namespace}/` : ''}${binding.name}`);
    await appendAudit(
      store,
      {
        actor: 'gatehouse',
        action: 'access.revoke-binding',
        target: `${cluster}/${binding.namespace ?? '*'}/${binding.name}`,
        outcome: 'succeeded',
        details: { grantKey: binding.grantKey, requestIds: binding.requestIds },
      },
      () => now,
    );
  });
}
