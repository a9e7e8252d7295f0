import { type AuditOutcome, appendAudit } from '../audit/index.js';
import { AppError, isAppError } from '../errors.js';
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

/** The ways a campaign's evidence leaves Gatehouse; each taking is audited with its format and door. */
export type EvidenceFormat = 'csv' | 'json' | 'report' | 'pdf';

export interface Taking {
  readonly format: EvidenceFormat;
  /** Which door: the console, the API, or the CLI on the store. */
  readonly via: 'console' | 'api' | 'cli';
  readonly usageOf?: UsageOf;
}

/**
 * `visibleEvidence`, audited as `review.export`: who took which campaign, in which format, how
 * many items and whether only their own; a refusal is recorded before it is thrown.
 */
export async function takeEvidence(
  store: Store,
  principal: Principal,
  id: string,
  taking: Taking,
): Promise<CampaignEvidence> {
  const evidence = await openEvidence(store, principal, id, taking);
  await recordTaking(store, principal, evidence.campaign.id, taking, 'succeeded', takenDetails(evidence));
  return evidence;
}

/** What the audit entry says of the evidence taken: how many items, and whether only some. */
export function takenDetails(evidence: CampaignEvidence): Record<string, unknown> {
  return { items: evidence.items.length, ...(evidence.only ? { only: evidence.only } : {}) };
}

/**
 * `visibleEvidence` with only a refusal recorded: for a taking that can still fail afterwards
 * (a PDF to print), whose outcome the caller records with `recordTaking`.
 */
export async function openEvidence(
  store: Store,
  principal: Principal,
  id: string,
  taking: Taking,
): Promise<CampaignEvidence> {
  try {
    return await visibleEvidence(store, principal, id, taking.usageOf ? { usageOf: taking.usageOf } : {});
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found')
      await recordTaking(store, principal, id, taking, 'denied', { reason: error.message });
    throw error;
  }
}

/** Records one taking of a campaign's evidence (e.g. a PDF that could not be printed: failed). */
export async function recordTaking(
  store: Store,
  principal: Principal,
  id: string,
  taking: Pick<Taking, 'format' | 'via'>,
  outcome: AuditOutcome,
  details: Record<string, unknown> = {},
): Promise<void> {
  await appendAudit(store, {
    actor: principal.subject,
    action: 'review.export',
    // The id may be what someone typed: a `/` in it must not make the entry one about an item.
    target: reviewTarget(id.slice(0, 64).replace(/[^\w-]/g, '_')),
    outcome,
    details: { format: taking.format, via: taking.via, ...details },
  });
}
