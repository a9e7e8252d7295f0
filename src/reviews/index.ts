/**
 * Access reviews: campaigns over a frozen sync run, one item per subject × grant, reviewers by
 * rule, keep/revoke decisions, revocation through provisioning proven with SubjectAccessReview,
 * deadlines with a default action, reminders, and exports for auditors.
 *
 * @example
 * const { campaign } = await createCampaign(store, { name: 'Q4', cluster: 'prod', scope: {}, reviewers: { fallback: 'group:security' }, deadlineAt, defaultAction: 'leave' }, { principal });
 * await decide(store, { campaignId: campaign.id, itemIds: [id], decision: 'revoke', reason: 'left' }, { principal, clusters });
 */
export {
  campaignWithCounts,
  closeCampaign,
  createCampaign,
  defaultReminderOffsets,
  type NewCampaign,
  reviewTarget,
  snapshotHashOf,
} from './campaigns.js';
export { type DeadlineReport, reminderDue, runReviewDeadlines } from './deadline.js';
export { type DecisionInput, type DecisionReport, decide, decidesOwnAccess } from './decisions.js';
export { type CampaignEvidence, campaignEvidence, evidenceCsv, neutralizeCell } from './evidence.js';
export { buildItems, grantLabel, type ItemDraft, subjectLabel } from './items.js';
export { parseDeadline, parseDefaultAction, parseItemState, parseReminderOffsets } from './options.js';
export { printPdf } from './pdf.js';
export { type CampaignPreview, latestUsableRun, previewCampaign } from './preview.js';
export { type ReassignInput, type ReassignReport, reassign } from './reassign.js';
export { completionOverTime, reportHtml, reportStyle } from './report.js';
export { countItems, getCampaign, getItem, type ItemFilter, listCampaigns, listItems } from './repository.js';
export { isOwnAccess, isReviewer, ownersAnnotation, parseOwners, parseReviewer } from './reviewers.js';
export { type ClusterAccess, frozenSnapshot } from './revocations.js';
export { type RevokeContext, revokeItem } from './revoke.js';
export { parseLabelSelector, parseSubjectKind } from './scope.js';
export * from './types.js';
export {
  defaultUsageWindowDays,
  parseUsageWindow,
  type ReviewUsageOptions,
  rulesYaml,
  unusedText,
  usageFromAuditLog,
  usageOfItems,
  usageSpan,
} from './usage.js';
export { seesAll, visibleCampaigns, visibleQueue } from './visibility.js';
export {
  type EvidenceFormat,
  openEvidence,
  recordTaking,
  takeEvidence,
  takenDetails,
  visibleEvidence,
} from './visible-evidence.js';
