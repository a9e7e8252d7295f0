export {
  type ApiToken,
  authenticate,
  createToken,
  hashToken,
  listTokens,
  revokeToken,
} from './api-tokens.js';
export { authenticateBearer } from './bearer.js';
export { identityFromClaims, type SignedInIdentity } from './claims.js';
export { cliChallenge, isCliChallenge, issueCliLoginCode, redeemCliLoginCode } from './cli-login.js';
export { clusterPrincipal } from './cluster-principal.js';
export {
  type FirstAdminLink,
  issueFirstAdminLink,
  needsFirstAdmin,
  redeemFirstAdminLink,
} from './first-admin.js';
export { type OidcSignIn, oidcSignIn, type PendingSignIn } from './oidc.js';
export {
  type Authentication,
  hasRole,
  localPrincipal,
  type PlatformRole,
  type Principal,
  platformRoles,
  requireRole,
} from './principal.js';
export {
  createSession,
  csrfMatches,
  endSession,
  hashSessionId,
  listSessions,
  type NewSession,
  resolveSession,
  type Session,
  type SessionKind,
  type SessionRefusal,
  type SignInMethod,
  sessionIdPrefix,
} from './sessions.js';
