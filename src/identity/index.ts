export {
  type Authentication,
  hasRole,
  localPrincipal,
  type PlatformRole,
  type Principal,
  platformRoles,
  requireRole,
} from './principal.js';
