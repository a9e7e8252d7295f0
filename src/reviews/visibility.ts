import { AppError } from '../errors.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { countItems, getCampaign, type ItemFilter, listCampaigns, listItems } from './repository.js';
import { isReviewer } from './reviewers.js';
import type { Campaign, CampaignCounts, ReviewerRef, ReviewItem } from './types.js';

/** Admins and auditors see every campaign; anyone else the campaigns, and items, they review. */
export function seesAll(principal: Principal): boolean {
  return hasRole(principal, 'auditor');
}

const refsOf = (principal: Principal): ReviewerRef[] => [
  `user:${principal.subject}`,
  ...principal.groups.map((group): ReviewerRef => `group:${group}`),
];

/** Campaigns the principal may see, newest first, with progress. */
export async function visibleCampaigns(
  store: Store,
  principal: Principal,
): Promise<{ campaign: Campaign; counts: CampaignCounts }[]> {
  let campaigns = await listCampaigns(store);
  if (!seesAll(principal)) {
    const refs = refsOf(principal);
    const rows = await store.db
      .selectFrom('review_items')
      .select('campaign_id')
      .distinct()
      .where('reviewer', 'in', refs)
      .execute();
    const mine = new Set(rows.map((row) => row.campaign_id));
    campaigns = campaigns.filter((campaign) => mine.has(campaign.id));
  }
  const result = [];
  for (const campaign of campaigns) result.push({ campaign, counts: await countItems(store, campaign.id) });
  return result;
}

/**
 * A campaign and the items the principal may see, filtered. A campaign the principal takes no
 * part in answers not-found, as one that does not exist.
 */
export async function visibleQueue(
  store: Store,
  principal: Principal,
  id: string,
  filter: ItemFilter & { readonly mine?: boolean } = {},
): Promise<{ campaign: Campaign; counts: CampaignCounts; items: ReviewItem[] }> {
  const campaign = await getCampaign(store, id);
  const { mine, ...rest } = filter;
  const items = (await listItems(store, campaign.id, rest)).filter(
    (item) => (seesAll(principal) && !mine) || isReviewer(item.reviewer, principal),
  );
  if (
    !seesAll(principal) &&
    items.length === 0 &&
    (await listItems(store, campaign.id)).every((item) => !isReviewer(item.reviewer, principal))
  )
    throw new AppError('not-found', `no review campaign "${id}"`, {
      fix: 'List campaigns with `gatehouse reviews list` and give a longer id',
    });
  return { campaign, counts: await countItems(store, campaign.id), items };
}
