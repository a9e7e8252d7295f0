import { auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { reviewTarget } from './campaigns.js';
import { grantLabel } from './items.js';
import { getCampaign, listItems, saveItem } from './repository.js';
import { isReviewer } from './reviewers.js';
import { type ClusterAccess, carryOutRevocation, revokeContext } from './revocations.js';
import { revokeItem } from './revoke.js';
import type { Campaign, ReviewItem, Revocation } from './types.js';

export interface DecisionInput {
  readonly campaignId: string;
  /** One item, or several decided alike (bulk). Full ids or unambiguous prefixes. */
  readonly itemIds: readonly string[];
  readonly decision: 'keep' | 'revoke';
  readonly reason?: string;
  /** Revoke only: show what would change (the apiserver validates it) and change nothing. */
  readonly dryRun?: boolean;
}

/** Per item: decided (with the item after it), planned (dry run), or refused with why. Bulk never stops at the first refusal. */
export interface DecisionReport {
  readonly decided: readonly ReviewItem[];
  readonly planned: readonly { readonly id: string; readonly revocation: Revocation }[];
  readonly refused: readonly { readonly id: string; readonly why: string }[];
}

const openStates = ['pending', 'revoke-failed'] as const;

/** Whether the person is the item's subject (by name or by a group they are in). */
export function decidesOwnAccess(item: ReviewItem, principal: Principal): boolean {
  const { subject } = item;
  if (subject.kind === 'User') return subject.name === principal.subject;
  if (subject.kind === 'Group') return principal.groups.includes(subject.name);
  if (subject.kind === 'IamPrincipal' && item.grant.type === 'aws-auth')
    return item.grant.username === principal.subject;
  return false;
}

/** Why this person may not decide this item now, or undefined when they may. */
export function refusal(
  campaign: Campaign,
  item: ReviewItem,
  principal: Principal,
  input: Pick<DecisionInput, 'decision' | 'reason'>,
): string | undefined {
  if (campaign.state !== 'open') return 'the campaign is closed';
  if (!(openStates as readonly string[]).includes(item.state)) return `the item is already ${item.state}`;
  if (decidesOwnAccess(item, principal))
    return 'nobody reviews their own access: reassign the item to the fallback reviewer';
  if (!isReviewer(item.reviewer, principal) && !hasRole(principal, 'admin'))
    return `the item is for ${item.reviewer}; ask them, or have it reassigned to you`;
  const reason = input.reason?.trim() ?? '';
  if (input.decision === 'revoke' && !reason) return 'a revoke needs a reason';
  if (input.decision === 'keep' && !reason && (item.severity === 'critical' || item.severity === 'high'))
    return `keeping a ${item.severity}-risk grant needs a reason`;
  return undefined;
}

async function itemsNamed(
  store: Store,
  campaign: Campaign,
  ids: readonly string[],
): Promise<{ items: ReviewItem[]; missing: string[] }> {
  const all = await listItems(store, campaign.id);
  const items: ReviewItem[] = [];
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const matching = all.filter((item) => item.id.startsWith(id));
    if (matching.length === 1 && id.length > 0) items.push(matching[0]!);
    else missing.push(id);
  }
  return { items, missing };
}

async function recordDecision(
  store: Store,
  item: ReviewItem,
  input: DecisionInput,
  principal: Principal,
  now: Date,
): Promise<ReviewItem | undefined> {
  const decided: ReviewItem = {
    ...item,
    state: input.decision === 'keep' ? 'kept' : item.state,
    decision: {
      kind: input.decision,
      reason: input.reason?.trim() ?? '',
      by: principal.subject,
      at: now.toISOString(),
    },
  };
  return await auditedTransaction(store, async ({ store: scoped, audit }) => {
    if (!(await saveItem(scoped, decided, [item.state], now.toISOString()))) return undefined;
    await audit(
      {
        actor: principal.subject,
        action: 'review.decide',
        target: reviewTarget(item.campaignId, item.id),
        outcome: 'succeeded',
        details: {
          id: item.campaignId,
          item: item.id,
          decision: input.decision,
          reason: decided.decision!.reason,
          grant: grantLabel(item.grant),
          reviewer: item.reviewer,
        },
      },
      () => now,
    );
    return decided;
  });
}

/**
 * Records keep or revoke decisions, each audited; a revoke is then carried out through
 * provisioning and proven with SubjectAccessReview (see {@link carryOutRevocation}).
 *
 * @example
 * await decide(store, { campaignId, itemIds: [id], decision: 'revoke', reason: 'left the team' }, { principal, clusters });
 */
export async function decide(
  store: Store,
  input: DecisionInput,
  options: { readonly principal: Principal; readonly clusters: ClusterAccess; readonly now?: () => Date },
): Promise<DecisionReport> {
  const now = options.now ?? (() => new Date());
  const campaign = await getCampaign(store, input.campaignId);
  const { items, missing } = await itemsNamed(store, campaign, input.itemIds);
  const refused = missing.map((id) => ({
    id,
    why: `no item ${id} in campaign ${campaign.id.slice(0, 8)} (or the id is ambiguous)`,
  }));
  const allowed = items.filter((item) => {
    const why = refusal(campaign, item, options.principal, input);
    if (why) refused.push({ id: item.id, why });
    return !why;
  });
  if (input.dryRun) {
    if (input.decision !== 'revoke')
      throw new AppError('input.invalid', 'only a revoke has a dry run', { fix: 'Drop --dry-run' });
    const context = await revokeContext(store, campaign, options.clusters, { dryRun: true, now });
    const planned = [];
    for (const item of allowed) planned.push({ id: item.id, revocation: await revokeItem(item, context) });
    return { decided: [], planned, refused };
  }
  const decided: ReviewItem[] = [];
  const context =
    input.decision === 'revoke' && allowed.length > 0
      ? await revokeContext(store, campaign, options.clusters, { now })
      : undefined;
  for (const item of allowed) {
    const recorded = await recordDecision(store, item, input, options.principal, now());
    if (!recorded) {
      refused.push({ id: item.id, why: 'someone else decided it meanwhile' });
      continue;
    }
    decided.push(
      context ? await carryOutRevocation(store, recorded, context, options.principal.subject) : recorded,
    );
  }
  return { decided, planned: [], refused };
}
