export {
  type AccessDetails,
  type AccessStep,
  accessDetails,
  canIList,
} from './access-details.js';
export { eksClusterOf, roleSessionName } from './access-details-aws.js';
export { type ActivityItem, recentActivity, requestHistory } from './activity.js';
export { type ClusterAccess, checkRequestCluster } from './cluster-check.js';
export { type IssuedCredential, issueCredential } from './credentials.js';
export { type DecisionOptions, decide, extend, revoke } from './decisions.js';
export { type ExpiryReport, expireDue } from './expire-now.js';
export { type AppliedFlows, applyFlows } from './flow-apply.js';
export { getFlow, listFlows, saveFlows } from './flow-store.js';
export {
  type AccessFlow,
  type AccessMode,
  accessPolicyArn,
  credentialMarginSeconds,
  type FlowRole,
  matches,
  maximumDurationSeconds,
  minimumCredentialGrantSeconds,
  namespaceAllowed,
  type Principals,
  parseDuration,
  parseFlow,
  parseFlowFile,
  parseRoleReference,
  principalArnFor,
} from './flows.js';
export { type GrantNowOutcome, grantNow } from './grant-now.js';
export {
  type GrantPreview,
  type GrantPreviewOptions,
  grantPreview,
  grantPreviewFor,
} from './grant-preview.js';
export {
  type GrantSubject,
  type PermissionLine,
  type PreviewRisk,
  permissionLines,
  previewBinding,
} from './grant-preview-shape.js';
export { KeyedLock } from './keyed-lock.js';
export { namespaceLabelsFor } from './namespace-labels.js';
export { refuseDisallowedPending, type Verdict, verdictOf } from './policy-recheck.js';
export { grantOf, type ReconcileOptions, type ReconcileReport, reconcile } from './reconciler.js';
export {
  clusterChoices,
  durationText,
  type FlowOption,
  type NamespaceChoice,
  namespaceStanding,
  type RequestOptions,
  type RoleOption,
  requestOptions,
  requestOptionsOf,
} from './request-options.js';
export { requestFieldLimits } from './request-rules.js';
export {
  type AccessRequest,
  createRequest,
  credentialAccountName,
  getRequest,
  listRequests,
  type NewRequest,
  parseRequestState,
  type RequestState,
  requestStates,
  resolveRequestId,
} from './requests.js';
export { shellWord } from './shell-word.js';
export { canSeeRequest, getVisibleRequest, listVisibleRequests, requestVisibility } from './visibility.js';
