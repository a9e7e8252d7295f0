import { userInfo } from 'node:os';
import { AppError } from '../errors.js';

/**
 * What a person may do on the platform beyond what flows give them: admin (everything), auditor
 * (reads everything, changes nothing), responder (forensics).
 */
export type PlatformRole = 'admin' | 'auditor' | 'responder';

export const platformRoles: readonly PlatformRole[] = ['admin', 'auditor', 'responder'];

/** How the principal proved who they are. */
export type Authentication =
  | { readonly kind: 'api-token'; readonly tokenId: string }
  | { readonly kind: 'session'; readonly sessionId: string }
  /** An in-cluster agent, by its token: it acts only as its cluster's transport. */
  | { readonly kind: 'agent'; readonly agentId: string }
  /** Another replica of the server, forwarding a call for an agent connected to this one. */
  | { readonly kind: 'replica' }
  /** Opened the store on this machine (the CLI); the cluster or the OS account named them. */
  | { readonly kind: 'local' };

/**
 * Who acts, whatever the door (CLI, API, console): never taken from a flag or a request body,
 * always from an authenticator. Every capability's policy checks take one.
 */
export interface Principal {
  /** The name audit entries and flows use: a cluster user name, a token's user, `local:USER`. */
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly PlatformRole[];
  readonly authenticatedBy: Authentication;
}

/** Whether the principal holds a platform role; admins hold every role. */
export function hasRole(principal: Principal, role: PlatformRole): boolean {
  return principal.roles.includes('admin') || principal.roles.includes(role);
}

/**
 * Refuses a principal without the role (admins pass every check), naming what they tried.
 *
 * @example
 * requireRole(principal, 'admin', 'change access flows');
 */
export function requireRole(principal: Principal, role: PlatformRole, doing: string): void {
  if (hasRole(principal, role)) return;
  throw new AppError('auth.forbidden', `${principal.subject} may not ${doing}`, {
    fix: howToGet(principal, role),
  });
}

/** How this principal would come to hold the role, by how they authenticate. */
function howToGet(principal: Principal, role: PlatformRole): string {
  const kind = principal.authenticatedBy.kind;
  switch (kind) {
    case 'api-token':
      // Tokens carry one role today, admin, which holds every other.
      return 'Use a token created with gatehouse tokens create --admin';
    case 'session':
      return `Ask an administrator to map one of your groups to the ${role} role`;
    case 'local':
      return `Run it as someone with the ${role} role`;
    case 'agent':
    case 'replica':
      return 'Agent and replica credentials only carry calls to a cluster; act with an API token or a signed-in session';
    default: {
      const unknown: never = kind;
      return unknown;
    }
  }
}

/**
 * Whoever runs the CLI on the store's own machine: they can open the store, so they may do
 * anything to it (admin). Named `local:USER` after the OS account unless the caller names them
 * otherwise (the cluster's name for them, or GATEHOUSE_OPERATOR for forensics).
 *
 * @example
 * localPrincipal().subject; // 'local:alice'
 */
export function localPrincipal(
  options: { readonly subject?: string; readonly groups?: readonly string[] } = {},
): Principal {
  return {
    subject: options.subject ?? `local:${userInfo().username}`,
    groups: options.groups ?? [],
    roles: ['admin'],
    authenticatedBy: { kind: 'local' },
  };
}
