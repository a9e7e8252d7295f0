export { aggregateClusterRoles, selectorMatches } from './aggregation.js';
export {
  appliesInNamespace,
  bindingLabel,
  parseServiceAccountUser,
  RbacIndex,
  type RbacProblem,
  type ResolvedSubject,
  resolveSubject,
  serviceAccountCandidates,
  subjectKey,
  superuserGroup,
} from './rbac-index.js';
export { ruleAllowsNonResource, ruleAllowsResource } from './rules.js';
export type * from './types.js';
