import { AppError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { reviewTarget } from './campaigns.js';
import { type CampaignEvidence, campaignEvidence } from './evidence.js';
import { grantLabel, subjectLabel } from './items.js';
import { isReviewer } from './reviewers.js';
import { itemStates, type UsageOf } from './types.js';
import { seesAll } from './visibility.js';

/**
 * A campaign's evidence as the principal may take it away. Auditors and admins get all of it. A
 * reviewer gets the items they review, the audit entries about those items and the campaign, and
 * counts over those items only, marked partial (`only`), so nobody mistakes it for the whole
 * campaign; a reviewer sees no more in an export than in their queue. Anyone else: not-found.
 */
export async function visibleEvidence(
  store: Store,
  principal: Principal,
  id: string,
  options: { readonly usageOf?: UsageOf; readonly now?: Date } = {},
): Promise<CampaignEvidence> {
  const evidence = await campaignEvidence(store, id, options);
  if (seesAll(principal)) return evidence;
  const items = evidence.items.filter((item) => isReviewer(item.reviewer, principal));
  if (items.length === 0)
    throw new AppError('not-found', `no review campaign "${id}"`, {
      fix: 'List campaigns with `gatehouse reviews list` and give a longer id',
    });
  const ids = new Set(items.map((item) => reviewTarget(evidence.campaign.id, item.id)));
  const counts = Object.fromEntries(
    itemStates.map((state) => [state, items.filter((item) => item.state === state).length]),
  ) as Record<(typeof itemStates)[number], number>;
  return {
    ...evidence,
    counts: { ...counts, total: items.length },
    items,
    orphans: items
      .filter((item) => item.grant.type === 'binding' && item.grant.roleMissing)
      .map((item) => `${subjectLabel(item.subject)}: ${grantLabel(item.grant)}`),
    provenRevocations: items.filter((item) => item.revocation?.proof?.kind === 'gone').length,
    trail: evidence.trail.filter(
      (event) => event.target === reviewTarget(evidence.campaign.id) || ids.has(event.target),
    ),
    only: `the items reviewed by ${principal.subject}`,
  };
}
