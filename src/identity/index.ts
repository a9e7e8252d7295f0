export {
  type ApiToken,
  authenticate,
  createToken,
  hashToken,
  listTokens,
  revokeToken,
} from './api-tokens.js';
export { clusterPrincipal } from './cluster-principal.js';
export {
  type Authentication,
  hasRole,
  localPrincipal,
  type PlatformRole,
  type Principal,
  platformRoles,
  requireRole,
} from './principal.js';
