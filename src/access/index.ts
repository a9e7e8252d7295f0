export { decide, extend, revoke } from './decisions.js';
export { getFlow, listFlows, saveFlows } from './flow-store.js';
export {
  type AccessFlow,
  type FlowRole,
  matches,
  namespaceAllowed,
  type Principals,
  parseDuration,
  parseFlow,
  parseFlowFile,
} from './flows.js';
export { grantOf, type ReconcileOptions, type ReconcileReport, reconcile } from './reconciler.js';
export {
  type AccessRequest,
  type Caller,
  createRequest,
  getRequest,
  listRequests,
  type NewRequest,
  type RequestState,
} from './requests.js';
