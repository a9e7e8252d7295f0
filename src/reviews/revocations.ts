import { createHash } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError } from '../errors.js';
import { type ClusterRead, loadSyncSnapshot } from '../inventory/index.js';
import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { reviewTarget } from './campaigns.js';
import { grantLabel } from './items.js';
import { saveItem } from './repository.js';
import { type RevokeContext, revokeItem } from './revoke.js';
import type { Campaign, ReviewItem, Revocation } from './types.js';

/** How reviews reach clusters: Gatehouse's own client per cluster, and EKS access entries where there are any. */
export interface ClusterAccess {
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  /** How long SubjectAccessReview may take to see a change (tests shorten it). */
  readonly settleMs?: number;
}

/** The campaign's frozen snapshot, refused when it is no longer the one the campaign recorded. */
export async function frozenSnapshot(store: Store, campaign: Campaign): Promise<ClusterRead> {
  const read = await loadSyncSnapshot(store, campaign.syncRunId);
  const hash = createHash('sha256').update(JSON.stringify(read)).digest('hex');
  if (hash !== campaign.snapshotHash)
    throw new AppError(
      'store.failed',
      `the snapshot of campaign ${campaign.id.slice(0, 8)} no longer has hash ${campaign.snapshotHash.slice(0, 12)}`,
      {
        fix: 'The stored sync run was changed after the campaign froze it; restore the store from a backup and check the audit log',
      },
    );
  return read;
}

export async function revokeContext(
  store: Store,
  campaign: Campaign,
  clusters: ClusterAccess,
  options: { readonly dryRun?: boolean; readonly now?: () => Date } = {},
): Promise<RevokeContext> {
  const [client, accessEntries, read] = await Promise.all([
    clusters.clientFor(campaign.cluster),
    clusters.accessEntriesFor?.(campaign.cluster),
    frozenSnapshot(store, campaign),
  ]);
  return {
    store,
    cluster: campaign.cluster,
    client,
    read,
    ...(accessEntries ? { accessEntries } : {}),
    ...(clusters.settleMs !== undefined ? { settleMs: clusters.settleMs } : {}),
    ...options,
  };
}

/**
 * Carries out a revoke decision already recorded on the item and records the outcome with its
 * audit entry: `revoked` with the changes and their proof, or `revoke-failed` saying why (the item
 * stays open, to be decided again).
 */
export async function carryOutRevocation(
  store: Store,
  item: ReviewItem,
  context: RevokeContext,
  actor: string,
): Promise<ReviewItem> {
  const revocation: Revocation = await revokeItem(item, context);
  const done: ReviewItem = {
    ...item,
    state: revocation.status === 'done' ? 'revoked' : 'revoke-failed',
    revocation,
  };
  const now = new Date(revocation.at);
  await auditedTransaction(store, async ({ store: scoped, audit }) => {
    await saveItem(scoped, done, ['pending', 'revoke-failed'], now.toISOString());
    await audit(
      {
        actor,
        action: 'review.revoke',
        target: reviewTarget(item.campaignId, item.id),
        outcome: revocation.status === 'done' ? 'succeeded' : 'failed',
        details: {
          id: item.campaignId,
          item: item.id,
          cluster: context.cluster,
          subject: `${item.subject.kind} ${item.subject.namespace ? `${item.subject.namespace}/` : ''}${item.subject.name}`,
          grant: grantLabel(item.grant),
          changes: revocation.changes,
          ...(revocation.error ? { error: revocation.error } : {}),
          ...(revocation.proof ? { proof: revocation.proof } : {}),
        },
      },
      () => now,
    );
  });
  return done;
}
