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
