import { type AuditEvent, listAudit } from '../audit/index.js';
import { describeRule } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { reviewTarget } from './campaigns.js';
import { grantLabel, subjectLabel } from './items.js';
import { countItems, getCampaign, listItems } from './repository.js';
import type { Campaign, CampaignCounts, ReviewItem, UsageOf, UsageSummary } from './types.js';
import { usageOfItems } from './usage.js';

/** What an auditor takes away from a campaign: scope, frozen snapshot, every item and decision, the trail. */
export interface CampaignEvidence {
  readonly campaign: Campaign;
  readonly counts: CampaignCounts;
  readonly items: readonly (ReviewItem & { readonly usage: UsageSummary })[];
  /** Bindings to roles that do not exist (grants that would wake if someone created the role). */
  readonly orphans: readonly string[];
  /** Revocations SubjectAccessReview proved gone on the cluster. */
  readonly provenRevocations: number;
  /** Every audit entry about the campaign and its items, in chain order (each signed). */
  readonly trail: readonly AuditEvent[];
  readonly generatedAt: string;
  /** Set when the evidence holds part of the campaign only (a reviewer's own items): says whose. */
  readonly only?: string;
}

const unknownUsage: UsageOf = async () => ({
  kind: 'unknown',
  why: 'no Kubernetes audit log was ingested for this cluster',
});

const missingUsage: UsageSummary = { kind: 'unknown', why: 'the usage port gave no answer for this item' };

/**
 * Gathers a campaign's evidence. Usage comes through the port (the audit-log usage module); without
 * one every item says usage is unknown rather than leaving it out.
 */
export async function campaignEvidence(
  store: Store,
  id: string,
  options: { readonly usageOf?: UsageOf; readonly now?: Date } = {},
): Promise<CampaignEvidence> {
  const campaign = await getCampaign(store, id);
  const usageOf = options.usageOf ?? unknownUsage;
  const items = await listItems(store, campaign.id);
  const usage = await usageOfItems(usageOf, items);
  const withUsage = items.map((item) => ({ ...item, usage: usage.get(item.id) ?? missingUsage }));
  return {
    campaign,
    counts: await countItems(store, campaign.id),
    items: withUsage,
    orphans: items
      .filter((item) => item.grant.type === 'binding' && item.grant.roleMissing)
      .map((item) => `${subjectLabel(item.subject)}: ${grantLabel(item.grant)}`),
    provenRevocations: items.filter((item) => item.revocation?.proof?.kind === 'gone').length,
    trail: await trailOf(store, campaign),
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/**
 * The campaign's entries and its items' entries: `review/ID` or `review/ID/ITEM`, never another
 * target that merely starts with the id (a refused download of `IDzz` names what was typed).
 */
async function trailOf(store: Store, campaign: Campaign): Promise<AuditEvent[]> {
  const target = reviewTarget(campaign.id);
  const events = await listAudit(store, { targetPrefix: target, since: campaign.createdAt });
  return events.filter((event) => event.target === target || event.target.startsWith(`${target}/`));
}

/**
 * A cell a spreadsheet will not run: text starting with =, +, -, @, a tab or a carriage return is
 * a formula (or becomes one) in Excel, LibreOffice and Sheets, so it is prefixed with a quote.
 */
export function neutralizeCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const columns: readonly {
  readonly header: string;
  readonly value: (item: CampaignEvidence['items'][number]) => string;
}[] = [
  { header: 'item', value: (item) => item.id },
  { header: 'subject_kind', value: (item) => item.subject.kind },
  {
    header: 'subject',
    value: (item) =>
      item.subject.namespace ? `${item.subject.namespace}/${item.subject.name}` : item.subject.name,
  },
  { header: 'namespace', value: (item) => item.namespace },
  { header: 'grant', value: (item) => grantLabel(item.grant) },
  { header: 'severity', value: (item) => item.severity ?? '' },
  { header: 'risks', value: (item) => item.risks.map((risk) => risk.check).join(' ') },
  { header: 'other_holders', value: (item) => String(item.holders) },
  { header: 'reviewer', value: (item) => item.reviewer },
  { header: 'state', value: (item) => item.state },
  { header: 'decision', value: (item) => item.decision?.kind ?? '' },
  { header: 'reason', value: (item) => item.decision?.reason ?? '' },
  { header: 'decided_by', value: (item) => item.decision?.by ?? '' },
  { header: 'decided_at', value: (item) => item.decision?.at ?? '' },
  { header: 'revocation', value: (item) => item.revocation?.changes.join('; ') ?? '' },
  { header: 'proof', value: proofText },
  {
    header: 'last_used',
    value: (item) => (item.usage.kind === 'summary' ? (item.usage.lastUsedAt ?? 'never') : 'unknown'),
  },
  { header: 'requests', value: (item) => (item.usage.kind === 'summary' ? String(item.usage.requests) : '') },
  {
    header: 'usage_window',
    value: (item) =>
      item.usage.kind === 'summary'
        ? `${item.usage.window.from}/${item.usage.window.to}`
        : `unknown${item.usage.why ? `: ${item.usage.why}` : ''}`,
  },
  {
    header: 'revoke_candidate',
    value: (item) => (item.usage.kind === 'summary' ? (item.usage.revokeCandidate ? 'yes' : 'no') : ''),
  },
  {
    header: 'unused_rules',
    value: (item) => (item.usage.kind === 'summary' ? (item.usage.unusedRules ?? []).join('; ') : ''),
  },
  {
    header: 'smaller_role',
    value: (item) =>
      item.usage.kind === 'summary' ? (item.usage.smallerRole ?? []).map(describeRule).join('; ') : '',
  },
];

function proofText(item: ReviewItem): string {
  const revocation = item.revocation;
  if (!revocation) return '';
  if (revocation.status === 'failed') return `failed: ${revocation.error ?? ''}`;
  const proof = revocation.proof;
  if (!proof) return '';
  switch (proof.kind) {
    case 'gone':
      return 'gone (SubjectAccessReview)';
    case 'still-granted':
      return `still granted by ${proof.paths.join('; ')}`;
    case 'not-checked':
      return `not checked: ${proof.why}`;
    default: {
      const unknown: never = proof;
      return String(unknown);
    }
  }
}

/** The items as CSV (RFC 4180, CRLF), every cell neutralised. */
export function evidenceCsv(evidence: CampaignEvidence): string {
  const lines = [
    columns.map((column) => column.header).join(','),
    ...evidence.items.map((item) => columns.map((column) => neutralizeCell(column.value(item))).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
