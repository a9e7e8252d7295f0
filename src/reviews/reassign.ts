import { auditedTransaction } from '../audit/index.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { reviewTarget } from './campaigns.js';
import { getCampaign, listItems, saveItem } from './repository.js';
import { isOwnAccess, isReviewer } from './reviewers.js';
import type { ItemNote, ReviewerRef, ReviewItem } from './types.js';

export interface ReassignInput {
  readonly campaignId: string;
  readonly itemIds: readonly string[];
  readonly to: ReviewerRef;
  readonly comment: string;
  /** `delegate`: the reviewer hands their own item on; `reassign`: an admin moves it. */
  readonly kind: 'reassign' | 'delegate';
}

export interface ReassignReport {
  readonly reassigned: readonly ReviewItem[];
  readonly refused: readonly { readonly id: string; readonly why: string }[];
}

function whyNot(item: ReviewItem, input: ReassignInput, principal: Principal): string | undefined {
  if (item.state !== 'pending' && item.state !== 'revoke-failed') return `the item is already ${item.state}`;
  if (item.reviewer === input.to) return `the item is already ${input.to}'s`;
  if (isOwnAccess(item.subject, input.to)) return `${input.to} would review their own access`;
  if (input.kind === 'delegate' && !isReviewer(item.reviewer, principal))
    return `only ${item.reviewer} can delegate this item`;
  if (input.kind === 'reassign' && !hasRole(principal, 'admin') && !isReviewer(item.reviewer, principal))
    return 'only an admin or the current reviewer can reassign this item';
  return undefined;
}

/** Moves items to another reviewer with a comment; each move is a note on the item and an audit entry. */
export async function reassign(
  store: Store,
  input: ReassignInput,
  options: { readonly principal: Principal; readonly now?: Date },
): Promise<ReassignReport> {
  const comment = input.comment.trim();
  const campaign = await getCampaign(store, input.campaignId);
  const all = await listItems(store, campaign.id);
  const refused: { id: string; why: string }[] = [];
  const reassigned: ReviewItem[] = [];
  const now = options.now ?? new Date();
  for (const id of new Set(input.itemIds)) {
    const matching = all.filter((item) => item.id.startsWith(id));
    const item = matching.length === 1 && id ? matching[0] : undefined;
    const why = !comment
      ? 'a reassignment needs a comment'
      : campaign.state !== 'open'
        ? 'the campaign is closed'
        : !item
          ? `no item ${id} in campaign ${campaign.id.slice(0, 8)} (or the id is ambiguous)`
          : whyNot(item, input, options.principal);
    if (why || !item) {
      refused.push({ id: item?.id ?? id, why: why ?? 'unknown item' });
      continue;
    }
    const note: ItemNote = {
      at: now.toISOString(),
      by: options.principal.subject,
      kind: input.kind,
      from: item.reviewer,
      to: input.to,
      comment,
    };
    const moved: ReviewItem = {
      ...item,
      reviewer: input.to,
      reviewerRule: 'reassigned',
      notes: [...item.notes, note],
    };
    const saved = await auditedTransaction(store, async ({ store: scoped, audit }) => {
      if (!(await saveItem(scoped, moved, [item.state], now.toISOString()))) return false;
      await audit(
        {
          actor: options.principal.subject,
          action: `review.${input.kind}`,
          target: reviewTarget(campaign.id, item.id),
          outcome: 'succeeded',
          details: { id: campaign.id, item: item.id, from: item.reviewer, to: input.to, comment },
        },
        () => now,
      );
      return true;
    });
    if (saved) reassigned.push(moved);
    else refused.push({ id: item.id, why: 'someone else changed it meanwhile' });
  }
  return { reassigned, refused };
}
