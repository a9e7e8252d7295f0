export {
  type AccessGrant,
  applyGrant,
  bindingName,
  type GrantReason,
  grantKey,
  listOwnedBindings,
  managedBy,
  type OwnedBinding,
  removeOwnedBinding,
} from './bindings.js';
