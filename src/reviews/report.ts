import type { LabelSelector } from '../rbac/index.js';
import type { CampaignEvidence } from './evidence.js';
import { grantLabel, subjectLabel } from './items.js';
import type { ReviewerRules, ReviewScope } from './types.js';

/** Text into HTML: every value in the report came from a cluster or a person, so all of it is escaped. */
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!,
  );
}

/** Decisions made so far at each decision's time: the campaign's completion over time. */
export function completionOverTime(evidence: CampaignEvidence): { at: string; decided: number }[] {
  let decided = 0;
  const points = [{ at: evidence.campaign.createdAt, decided: 0 }];
  for (const event of evidence.trail) {
    if (event.action === 'review.decide') decided += 1;
    else if (event.action === 'review.deadline') decided += Number(event.details.items ?? 0);
    else continue;
    points.push({ at: event.at, decided: Math.min(decided, evidence.counts.total) });
  }
  return points;
}

/** The completion chart as inline SVG: no script, prints as vectors. */
function chart(evidence: CampaignEvidence): string {
  const points = completionOverTime(evidence);
  const start = Date.parse(points[0]!.at);
  const end = Math.max(Date.parse(points.at(-1)!.at), Date.parse(evidence.campaign.deadlineAt), start + 1);
  const total = Math.max(evidence.counts.total, 1);
  const x = (at: string) => 40 + ((Date.parse(at) - start) / (end - start)) * 520;
  const y = (count: number) => 170 - (count / total) * 150;
  const line = points.map((point) => `${x(point.at).toFixed(1)},${y(point.decided).toFixed(1)}`).join(' ');
  return `<svg role="img" aria-label="Items decided over time" viewBox="0 0 600 200" width="600" height="200">
  <line x1="40" y1="170" x2="560" y2="170" stroke="#555"/><line x1="40" y1="20" x2="40" y2="170" stroke="#555"/>
  <text x="4" y="24" font-size="11">${total}</text><text x="16" y="172" font-size="11">0</text>
  <line x1="${x(evidence.campaign.deadlineAt).toFixed(1)}" y1="20" x2="${x(evidence.campaign.deadlineAt).toFixed(1)}" y2="170" stroke="#b00" stroke-dasharray="4"/>
  <text x="${(x(evidence.campaign.deadlineAt) - 40).toFixed(1)}" y="190" font-size="11" fill="#b00">deadline</text>
  <polyline fill="none" stroke="#1f4e9c" stroke-width="2" points="${line}"/>${points.length === 1 ? '\n  <text x="300" y="100" font-size="12" text-anchor="middle" fill="#555">No decisions yet</text>' : ''}
</svg>`;
}

function proofCell(item: CampaignEvidence['items'][number]): string {
  const proof = item.revocation?.proof;
  if (item.revocation?.status === 'failed') return `failed: ${escapeHtml(item.revocation.error)}`;
  if (!proof) return '';
  if (proof.kind === 'gone') return 'gone (SubjectAccessReview)';
  if (proof.kind === 'still-granted') return `still granted by ${escapeHtml(proof.paths.join('; '))}`;
  return `not checked: ${escapeHtml(proof.why)}`;
}

function usageCell(item: CampaignEvidence['items'][number]): string {
  const usage = item.usage;
  if (usage.kind === 'unknown') return 'unknown';
  if (usage.revokeCandidate)
    return `unused ${escapeHtml(usage.window.from)} to ${escapeHtml(usage.window.to)}: revoke candidate`;
  return `last used ${escapeHtml(usage.lastUsedAt ?? '')}`;
}

/** The report's only style block: a page serving it allows this block by its hash, and no other. */
export const reportStyle =
  'body{font:11px/1.4 sans-serif;margin:24px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:3px;vertical-align:top;text-align:left;overflow-wrap:anywhere}td:nth-child(3),td:nth-child(4),td:nth-child(5){overflow-wrap:normal;white-space:nowrap}th{overflow-wrap:normal;hyphens:auto}h1{font-size:18px}h2{font-size:14px;margin-top:18px}';

/**
 * The printable report of a campaign for auditors: scope, the frozen snapshot, counts, completion
 * over time, who decided what and when, revocations and their proof, and orphan grants.
 */
export function reportHtml(evidence: CampaignEvidence): string {
  const { campaign, counts } = evidence;
  const rows = evidence.items
    .map(
      (item) =>
        `<tr><td>${escapeHtml(subjectLabel(item.subject))}</td><td>${escapeHtml(grantLabel(item.grant))}</td><td>${escapeHtml(item.severity ?? '')}</td><td>${escapeHtml(item.reviewer)}</td><td>${escapeHtml(item.state)}</td><td>${escapeHtml(item.decision ? `${item.decision.kind} by ${item.decision.by} at ${item.decision.at}: ${item.decision.reason}` : '')}</td><td>${proofCell(item)}</td><td>${usageCell(item)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(campaign.name)}</title>
<style>${reportStyle}</style></head><body>
<h1>Access review: ${escapeHtml(campaign.name)}</h1>
${evidence.only ? `<p><b>Partial evidence: ${escapeHtml(evidence.only)} only.</b></p>` : ''}
<p>Cluster <b>${escapeHtml(campaign.cluster)}</b>, sync run ${escapeHtml(campaign.syncRunId)}, snapshot SHA-256 <code>${escapeHtml(campaign.snapshotHash)}</code>.</p>
<p>Opened ${escapeHtml(campaign.createdAt)} by ${escapeHtml(campaign.createdBy)}; deadline ${escapeHtml(campaign.deadlineAt)} (default action: ${escapeHtml(campaign.defaultAction)}); ${escapeHtml(campaign.state)}${campaign.closedAt ? ` since ${escapeHtml(campaign.closedAt)} (${escapeHtml(campaign.closedBy)})` : ''}.</p>
<p>Scope: ${escapeHtml(scopeText(campaign.scope))}. Reviewers: ${escapeHtml(reviewersText(campaign.reviewers))}.</p>
<h2>Counts</h2>
<p>${counts.total} items: ${counts.kept} kept, ${counts.revoked} revoked (${evidence.provenRevocations} proven gone by SubjectAccessReview), ${counts['revoke-failed']} revocations failed, ${counts.left} left at the deadline, ${counts.pending} undecided; ${evidence.items.filter((item) => item.usage.kind === 'summary' && item.usage.revokeCandidate).length} unused in the review window (revoke candidates), ${evidence.items.filter((item) => item.usage.kind === 'unknown').length} with usage unknown.</p>
<h2>Completion over time</h2>
${chart(evidence)}
<h2>Decisions</h2>
<table><thead><tr><th>Subject</th><th>Grant</th><th>Risk</th><th>Reviewer</th><th>State</th><th>Decision</th><th>Revocation proof</th><th>Usage (audit log)</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Orphan grants</h2>
${evidence.orphans.length ? `<ul>${evidence.orphans.map((orphan) => `<li>${escapeHtml(orphan)}</li>`).join('')}</ul>` : '<p>None.</p>'}
<h2>Audit trail</h2>
<p>${evidence.trail.length} signed audit entries, sequence ${evidence.trail[0]?.seq ?? '-'} to ${evidence.trail.at(-1)?.seq ?? '-'}; the last hash is <code>${escapeHtml(evidence.trail.at(-1)?.hash ?? '')}</code> (check with gatehouse audit verify).</p>
<p>Generated ${escapeHtml(evidence.generatedAt)}.</p>
</body></html>`;
}

/** The scope as a sentence an auditor reads: every list left empty means "all". */
function scopeText(scope: ReviewScope): string {
  const parts = [
    scope.namespaces?.length ? `namespaces ${scope.namespaces.join(', ')}` : '',
    scope.namespaceSelector ? `namespaces labelled ${selectorText(scope.namespaceSelector)}` : '',
    scope.roles?.length ? `roles ${scope.roles.join(', ')}` : '',
    scope.clusterAdminEquivalent ? 'grants equivalent to cluster-admin' : '',
    scope.subjectKinds?.length ? `subjects of kind ${scope.subjectKinds.join(', ')}` : '',
  ].filter(Boolean);
  const what = parts.length ? parts.join('; ') : 'every grant of the sync run';
  return scope.includeSystem
    ? `${what}, Kubernetes' own bindings included`
    : `${what}, Kubernetes' own bindings left out`;
}

function reviewersText(rules: ReviewerRules): string {
  return [
    rules.namespaceOwners ? 'namespace owners (annotation gatehouse.dev/owners)' : '',
    rules.reviewer ? `${rules.reviewer} for items without owners` : '',
    `${rules.fallback} for the rest and for reviewers' own access`,
  ]
    .filter(Boolean)
    .join(', then ');
}

/** A label selector as kubectl writes one: `env=prod,tier in (web,api),!legacy`. */
function selectorText(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (selector.matchExpressions ?? []).map((requirement) => {
    const values = `(${(requirement.values ?? []).join(',')})`;
    switch (requirement.operator) {
      case 'In':
        return `${requirement.key} in ${values}`;
      case 'NotIn':
        return `${requirement.key} notin ${values}`;
      case 'Exists':
        return requirement.key;
      case 'DoesNotExist':
        return `!${requirement.key}`;
      default: {
        const unknown: never = requirement.operator;
        return unknown;
      }
    }
  });
  return [...labels, ...expressions].join(',');
}
