export { type ClusterAccess, checkRequestCluster } from './cluster-check.js';
export { type IssuedCredential, issueCredential } from './credentials.js';
export { decide, extend, revoke } from './decisions.js';
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
export { KeyedLock } from './keyed-lock.js';
export { namespaceLabelsFor } from './namespace-labels.js';
export { refuseDisallowedPending, type Verdict, verdictOf } from './policy-recheck.js';
export { grantOf, type ReconcileOptions, type ReconcileReport, reconcile } from './reconciler.js';
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
  targetOf,
} from './requests.js';
export { canSeeRequest, getVisibleRequest, listVisibleRequests, requestVisibility } from './visibility.js';
