export {
  type AwsAuthChange,
  type AwsAuthMapping,
  addAwsAuthMapping,
  ownedAwsAuthMappings,
  removeAwsAuthMapping,
  unmapAwsAuthPrincipal,
} from './aws-auth.js';
export {
  type BindingRef,
  type BoundSubject,
  removeSubjectFromBinding,
  type SubjectRemoval,
} from './binding-subjects.js';
export {
  type AccessGrant,
  applyGrant,
  bindingName,
  type GrantReason,
  grantKey,
  listOwnedBindings,
  managedBy,
  type OwnedBinding,
  removeGrant,
  removeOwnedBinding,
} from './bindings.js';
export {
  type AccessServiceAccount,
  ensureServiceAccount,
  type IssuedToken,
  listOwnedServiceAccounts,
  removeServiceAccount,
  requestToken,
  tokenKubeconfig,
} from './service-accounts.js';
