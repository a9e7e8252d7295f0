import type { OidcSettings } from '../config/index.js';
import { AppError } from '../errors.js';
import { type PlatformRole, platformRoles } from './principal.js';

/** Who an ID token names, in Gatehouse's (and the cluster's) terms. */
export interface SignedInIdentity {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly PlatformRole[];
}

const maxGroups = 1000;
const maxNameLength = 512;
// Control characters would forge lines in logs and audit views.
const controlCharacter = /\p{Cc}/u;

function usableName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxNameLength &&
    !controlCharacter.test(value)
  );
}

/**
 * Maps ID-token claims to a person the way the cluster's JWT authenticator does (username claim
 * and prefix, groups claim and prefix), so that who signs in to Gatehouse is the user the cluster
 * authorizes; then gives platform roles to the groups the settings name. A claim that is missing
 * or malformed is refused with the setting to check, never guessed around.
 *
 * @example
 * identityFromClaims({ sub: 'carol', groups: ['gatehouse-admins'] }, settings);
 * // { subject: 'oidc:carol', groups: ['oidc:gatehouse-admins'], roles: ['admin'] }
 */
export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  settings: Pick<OidcSettings, 'usernameClaim' | 'usernamePrefix' | 'groupsClaim' | 'groupsPrefix' | 'roles'>,
): SignedInIdentity {
  const username = claims[settings.usernameClaim];
  if (!usableName(username))
    throw new AppError(
      'auth.unauthorized',
      `the ID token's "${settings.usernameClaim}" claim is missing or not a usable name`,
      {
        fix: `Set oidc.usernameClaim to a claim your identity provider puts in ID tokens (e.g. sub, email, preferred_username)`,
      },
    );
  const raw = claims[settings.groupsClaim];
  // Some providers send one group as a plain string.
  const list = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length > maxGroups || !list.every(usableName))
    throw new AppError(
      'auth.unauthorized',
      `the ID token's "${settings.groupsClaim}" claim is not a list of group names (at most ${maxGroups})`,
      {
        fix: 'Set oidc.groupsClaim to the claim that lists group names, or fix the provider’s groups mapping',
      },
    );
  const groups = [...new Set(list.map((group) => `${settings.groupsPrefix}${group}`))];
  const held = new Set(groups);
  const roles = platformRoles.filter((role) => settings.roles[role].some((group) => held.has(group)));
  return { subject: `${settings.usernamePrefix}${username}`, groups, roles };
}
