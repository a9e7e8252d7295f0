export { aggregateClusterRoles, selectorMatches } from './aggregation.js';
export { diffGrants, type EffectiveGrant, effectiveGrants, type GrantDiff } from './diff.js';
export {
  type AccessEntryGrant,
  type AccessPolicy,
  accessEntryGrants,
  accessPolicies,
  accessPolicyPermissions,
  associationAllows,
  isDocumented,
  type PolicyAnswer,
  scopeCovers,
} from './eks/access-policies.js';
export {
  type AwsAuth,
  type AwsAuthProblem,
  parseAwsAuth,
  type RoleMapping,
  type UserMapping,
} from './eks/aws-auth.js';
export {
  type AccessEntry,
  type AccessPolicyAssociation,
  type AuthenticationMode,
  canonicalizeArn,
  type IamPrincipal,
  type IdentitySources,
  type MappedIdentity,
  principalMatcher,
  principalsMappedTo,
  resolveIamPrincipal,
} from './eks/identity.js';
export {
  type EffectivePermissions,
  effectivePermissions,
  identityOf,
  type PermissionEntry,
  parseSubjectRef,
  type SubjectRef,
} from './permissions.js';
export {
  appliesInNamespace,
  bindingLabel,
  parseServiceAccountUser,
  RbacIndex,
  type RbacProblem,
  type ResolvedSubject,
  resolveSubject,
  roleKey,
  serviceAccountCandidates,
  subjectKey,
  subjectKeysFor,
  superuserGroup,
} from './rbac-index.js';
export { impersonatedGroups, type ParsedTarget, parseTarget } from './resources.js';
export {
  checks,
  describeRule,
  findRisks,
  type RiskFinding,
  type RiskOptions,
  type Severity,
} from './risks.js';
export { ruleAllowsNonResource, ruleAllowsResource } from './rules.js';
export type * from './types.js';
export { type GrantPath, type WhoCanQuery, whoCan } from './who-can.js';
