import type { Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { createCampaign } from './campaigns.js';
import { hasSuccessor, listCampaigns } from './repository.js';
import type { Campaign } from './types.js';

/** Gatehouse itself, opening the next run of a recurring campaign an administrator set up. */
const gatehouse: Principal = {
  subject: 'gatehouse',
  groups: [],
  roles: ['admin'],
  authenticatedBy: { kind: 'local' },
};

/** When the next run of a recurring campaign opens. */
export const nextRunAt = (campaign: Campaign): number | undefined =>
  campaign.recurEverySeconds ? Date.parse(campaign.createdAt) + campaign.recurEverySeconds * 1000 : undefined;

/**
 * Opens the next run of each recurring campaign that is due: the same scope, reviewers, default
 * action, reminders and time to decide, over the cluster's latest sync. Each run names the one
 * before it, so a run is opened once whatever the number of passes or replicas.
 */
export async function openRecurring(
  store: Store,
  now: Date,
): Promise<{ opened: Campaign[]; errors: { campaign: string; message: string }[]; nextAt?: number }> {
  const opened: Campaign[] = [];
  const errors: { campaign: string; message: string }[] = [];
  let nextAt: number | undefined;
  for (const campaign of await listCampaigns(store, { recurring: true })) {
    const due = nextRunAt(campaign);
    if (due === undefined || (await hasSuccessor(store, campaign.id))) continue;
    if (due > now.getTime()) {
      nextAt = Math.min(nextAt ?? due, due);
      continue;
    }
    const span = Date.parse(campaign.deadlineAt) - Date.parse(campaign.createdAt);
    try {
      const { campaign: next } = await createCampaign(
        store,
        {
          name: campaign.name,
          cluster: campaign.cluster,
          scope: campaign.scope,
          reviewers: campaign.reviewers,
          deadlineAt: new Date(now.getTime() + span).toISOString(),
          defaultAction: campaign.defaultAction,
          reminderOffsets: campaign.reminderOffsets,
          recurEverySeconds: campaign.recurEverySeconds!,
          previousId: campaign.id,
        },
        { principal: gatehouse, now },
      );
      opened.push(next);
    } catch (error) {
      errors.push({ campaign: campaign.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { opened, errors, ...(nextAt !== undefined ? { nextAt } : {}) };
}
