import { appendAudit } from '../audit/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError, describeError, isAppError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import { ownedAwsAuthMappings, removeAwsAuthMapping } from '../provisioning/index.js';
import type { Store } from '../store/index.js';
import { accessPolicyArn } from './flows.js';
import { activate, type ClusterPass, grantFailed } from './reconciler.js';
import type { AccessRequest } from './requests.js';

type Scope = { readonly type: 'cluster' | 'namespace'; readonly namespaces?: readonly string[] };

/** Overlapping requests for one policy share one association: cluster-wide if any asks so, else every namespace asked. */
function unionScope(requests: readonly AccessRequest[]): Scope {
  if (requests.some((request) => request.namespace === undefined)) return { type: 'cluster' };
  return {
    type: 'namespace',
    namespaces: [...new Set(requests.map((request) => request.namespace!))].sort(),
  };
}

const sameScope = (a: Scope, b: Scope) =>
  a.type === b.type &&
  JSON.stringify([...(a.namespaces ?? [])].sort()) === JSON.stringify([...(b.namespaces ?? [])].sort());

interface EntriesPass extends Pick<ClusterPass, 'cluster' | 'now' | 'report' | 'audit' | 'store'> {
  readonly port: () => Promise<EksAccessEntriesPort>;
  readonly live: readonly AccessRequest[];
}

/**
 * access-entry mode: gives each live request's IAM principal its access policy (creating the
 * access entry when there is none), and takes back associations Gatehouse made that no live
 * request needs. An association someone else made is never taken over or removed.
 */
export async function reconcileAccessEntries(pass: EntriesPass): Promise<void> {
  const { store, cluster } = pass;
  const records = await rowsOf(store, cluster);
  if (pass.live.length === 0 && records.length === 0) return;
  const port = await pass.port();
  const desired = new Map<string, AccessRequest[]>();
  for (const request of pass.live) {
    const key = JSON.stringify([request.principalArn, accessPolicyArn(request.role.name)]);
    desired.set(key, [...(desired.get(key) ?? []), request]);
  }
  for (const [key, requests] of desired) {
    const [principalArn, policyArn] = JSON.parse(key) as [string, string];
    try {
      await associate(pass, port, { principalArn, policyArn, scope: unionScope(requests) });
      await activate(store, requests, pass.now, pass.report);
    } catch (error) {
      await grantFailed(pass, requests, error);
    }
  }
  for (const record of records) {
    if (desired.has(JSON.stringify([record.principal_arn, record.policy_arn]))) continue;
    try {
      await disassociate(pass, port, record);
    } catch (error) {
      // One failed revocation must not hold up the others; the record stays, so the next pass retries.
      pass.report.errors.push({ cluster, message: describeError(error) });
    }
  }
}

type GrantRow = Awaited<ReturnType<typeof rowsOf>>[number];

function rowsOf(store: Store, cluster: string, principalArn?: string) {
  let query = store.db.selectFrom('eks_access_grants').selectAll().where('cluster', '=', cluster);
  if (principalArn) query = query.where('principal_arn', '=', principalArn);
  return query.execute();
}

async function associate(
  pass: EntriesPass,
  port: EksAccessEntriesPort,
  target: { principalArn: string; policyArn: string; scope: Scope },
): Promise<void> {
  const { store, cluster, now } = pass;
  // Read now, not at the start of the pass: earlier steps of this pass may have changed them.
  const mine = await rowsOf(store, cluster, target.principalArn);
  const record = mine.find((candidate) => candidate.policy_arn === target.policyArn);
  if (record?.applied === 1 && sameScope(JSON.parse(record.scope) as Scope, target.scope)) return;
  let createdEntry = mine.some((candidate) => candidate.created_entry === 1);
  if (!record) {
    const entry = await port.accessEntry(target.principalArn);
    if (entry?.policies.some((policy) => policy.policyArn === target.policyArn))
      throw new AppError(
        'conflict',
        `${target.principalArn} already has ${target.policyArn} on ${cluster}, associated outside Gatehouse`,
        {
          fix: 'Gatehouse never changes associations it did not make: remove that association, or grant through it by hand',
        },
      );
    if (!entry) {
      await port.createAccessEntry({ principalArn: target.principalArn, type: 'STANDARD' });
      createdEntry = true;
    }
  }
  // Recorded as owed before the call and as applied after it: a call that fails is made again next pass.
  const values = {
    cluster,
    principal_arn: target.principalArn,
    policy_arn: target.policyArn,
    created_entry: createdEntry ? 1 : 0,
    scope: JSON.stringify(target.scope),
    applied: 0,
    updated_at: now.toISOString(),
  };
  const update = (changes: Partial<typeof values>) =>
    store.db
      .updateTable('eks_access_grants')
      .set(changes)
      .where('cluster', '=', cluster)
      .where('principal_arn', '=', target.principalArn)
      .where('policy_arn', '=', target.policyArn)
      .execute();
  if (record) await update(values);
  else await store.db.insertInto('eks_access_grants').values(values).execute();
  await port.associateAccessPolicy({
    principalArn: target.principalArn,
    policyArn: target.policyArn,
    accessScope: target.scope,
  });
  await update({ applied: 1 });
  pass.report.applied.push(`AccessPolicy/${target.principalArn}/${target.policyArn}`);
}

async function disassociate(pass: EntriesPass, port: EksAccessEntriesPort, record: GrantRow): Promise<void> {
  const { store, cluster, now } = pass;
  try {
    await port.disassociateAccessPolicy({ principalArn: record.principal_arn, policyArn: record.policy_arn });
  } catch (error) {
    if (!(isAppError(error) && error.code === 'not-found')) throw error;
  }
  await store.db
    .deleteFrom('eks_access_grants')
    .where('cluster', '=', cluster)
    .where('principal_arn', '=', record.principal_arn)
    .where('policy_arn', '=', record.policy_arn)
    .execute();
  // The entry goes with the last association Gatehouse holds on it, counted now (grants added this pass included).
  const remaining = await rowsOf(store, cluster, record.principal_arn);
  const deleteEntry = record.created_entry === 1 && remaining.length === 0;
  if (deleteEntry)
    await port.deleteAccessEntry(record.principal_arn).catch((error: unknown) => {
      if (!(isAppError(error) && error.code === 'not-found')) throw error;
    });
  pass.report.removed.push(`AccessPolicy/${record.principal_arn}/${record.policy_arn}`);
  await appendAudit(
    store,
    {
      actor: 'gatehouse',
      action: 'access.revoke-access-policy',
      target: `${cluster}/${record.principal_arn}`,
      outcome: 'succeeded',
      details: { policyArn: record.policy_arn, entryDeleted: deleteEntry },
    },
    () => now,
  );
}

/** aws-auth mode: unmaps principals this store mapped that no live request needs. */
export async function removeAwsAuthLeftovers(pass: {
  readonly client: KubeClient;
  readonly cluster: string;
  readonly live: readonly AccessRequest[];
  readonly store: Store;
  readonly now: Date;
  readonly report: { removed: string[] };
}): Promise<void> {
  const { store, cluster } = pass;
  const mine = await store.db
    .selectFrom('access_requests')
    .select('principal_arn')
    .distinct()
    .where('cluster', '=', cluster)
    .where('mode', '=', 'aws-auth')
    .execute();
  if (mine.length === 0) return;
  const needed = new Set(
    pass.live.filter((request) => request.mode === 'aws-auth').map((request) => request.principalArn),
  );
  const ours = new Set(mine.map((row) => row.principal_arn));
  for (const arn of await ownedAwsAuthMappings(pass.client)) {
    if (needed.has(arn) || !ours.has(arn)) continue;
    await removeAwsAuthMapping(pass.client, arn, { store, cluster, reason: 'access ended' });
    pass.report.removed.push(`aws-auth/${arn}`);
    await appendAudit(
      store,
      {
        actor: 'gatehouse',
        action: 'access.revoke-aws-auth',
        target: `${cluster}/${arn}`,
        outcome: 'succeeded',
      },
      () => pass.now,
    );
  }
}
