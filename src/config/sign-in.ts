import { AppError } from '../errors.js';

/**
 * Sign-in with an OpenID Provider. The client secret never sits in the config file: it comes from
 * `GATEHOUSE_OIDC_CLIENT_SECRET` or from the file `clientSecretFile` names (a mounted secret).
 */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** From `GATEHOUSE_OIDC_CLIENT_SECRET`; absent for a public client or when a file is named. */
  readonly clientSecret: string | undefined;
  readonly clientSecretFile: string | undefined;
  /** How a confidential client proves itself at the token endpoint (default `client_secret_post`). */
  readonly tokenEndpointAuthMethod: 'client_secret_post' | 'client_secret_basic';
  /**
   * A PEM file of CAs to trust for the provider (a private CA), used for Gatehouse's calls to it
   * only. `NODE_EXTRA_CA_CERTS` works too, for the whole process.
   */
  readonly caFile: string | undefined;
  /** Scopes asked for; default `openid profile email groups`. */
  readonly scopes: readonly string[];
  /** The claim naming the person (default `sub`), and the prefix Gatehouse puts before it (default `oidc:`). */
  readonly usernameClaim: string;
  readonly usernamePrefix: string;
  /** The claim listing their groups (default `groups`), and the prefix before each (default `oidc:`). */
  readonly groupsClaim: string;
  readonly groupsPrefix: string;
  /**
   * Which groups hold which platform role, by Gatehouse's (prefixed) group names, as flows name
   * them: `admin: [oidc:gatehouse-admins]`.
   */
  readonly roles: Readonly<Record<'admin' | 'auditor' | 'responder', readonly string[]>>;
}

/** How long a signed-in session lasts: idle (sliding) and at most (absolute). */
export interface SessionSettings {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

export const defaultSessionSettings: SessionSettings = { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 };

const oidcKeys = new Set([
  'issuer',
  'clientId',
  'clientSecretFile',
  'tokenEndpointAuthMethod',
  'caFile',
  'scopes',
  'usernameClaim',
  'usernamePrefix',
  'groupsClaim',
  'groupsPrefix',
  'roles',
]);

type Raw = Record<string, unknown>;

function invalid(where: string, message: string, fix: string): never {
  throw new AppError('config.invalid', `${where}: ${message}`, { fix });
}

function text(record: Raw, key: string, where: string): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(where, `"${key}" must be a string`, `Quote the value of ${key}`);
  return value;
}

function strings(value: unknown, where: string, key: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    invalid(where, `"${key}" must be a list of strings`, `e.g. ${key}: [oidc:gatehouse-admins]`);
  return value as string[];
}

function mapping(value: unknown, where: string, key: string): Raw {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(where, `"${key}" must be a mapping`, `Write ${key}: with key: value pairs under it`);
  return value as Raw;
}

function roleGroups(value: unknown, where: string): OidcSettings['roles'] {
  const roles = mapping(value, where, 'oidc.roles');
  for (const key of Object.keys(roles))
    if (key !== 'admin' && key !== 'auditor' && key !== 'responder')
      invalid(
        where,
        `unknown platform role "${key}" in oidc.roles`,
        'The roles are admin, auditor, responder',
      );
  return {
    admin: strings(roles.admin, where, 'oidc.roles.admin'),
    auditor: strings(roles.auditor, where, 'oidc.roles.auditor'),
    responder: strings(roles.responder, where, 'oidc.roles.responder'),
  };
}

/**
 * The OIDC settings from the config file's `oidc:` mapping and the environment
 * (`GATEHOUSE_OIDC_ISSUER`, `GATEHOUSE_OIDC_CLIENT_ID`, `GATEHOUSE_OIDC_CLIENT_SECRET`,
 * `GATEHOUSE_OIDC_CLIENT_SECRET_FILE`, `GATEHOUSE_OIDC_CA_FILE`, which win); undefined when no
 * issuer is set.
 */
export function oidcSettings(
  fileValue: unknown,
  env: NodeJS.ProcessEnv,
  where: string,
): OidcSettings | undefined {
  const file = mapping(fileValue, where, 'oidc');
  for (const key of Object.keys(file))
    if (!oidcKeys.has(key))
      invalid(where, `unknown setting "oidc.${key}"`, `Known oidc settings: ${[...oidcKeys].join(', ')}`);
  const issuer = env.GATEHOUSE_OIDC_ISSUER ?? text(file, 'issuer', where);
  if (!issuer) return undefined;
  if (!/^https:\/\/[^/]/.test(issuer))
    invalid(
      where,
      `OIDC issuer "${issuer}" is not an https URL`,
      'Give the issuer URL, e.g. https://idp.example.com (a provider with a private CA: set oidc.caFile)',
    );
  const clientId = env.GATEHOUSE_OIDC_CLIENT_ID ?? text(file, 'clientId', where);
  if (!clientId)
    invalid(where, 'an OIDC issuer is set but no client id', 'Set oidc.clientId or GATEHOUSE_OIDC_CLIENT_ID');
  const scopes = strings(file.scopes, where, 'oidc.scopes');
  const method = text(file, 'tokenEndpointAuthMethod', where) ?? 'client_secret_post';
  if (method !== 'client_secret_post' && method !== 'client_secret_basic')
    invalid(
      where,
      `unknown oidc.tokenEndpointAuthMethod "${method}"`,
      'Use client_secret_post or client_secret_basic',
    );
  return {
    issuer,
    clientId,
    clientSecret: env.GATEHOUSE_OIDC_CLIENT_SECRET || undefined,
    clientSecretFile: env.GATEHOUSE_OIDC_CLIENT_SECRET_FILE ?? text(file, 'clientSecretFile', where),
    tokenEndpointAuthMethod: method,
    caFile: env.GATEHOUSE_OIDC_CA_FILE ?? text(file, 'caFile', where),
    scopes: scopes.length > 0 ? scopes : ['openid', 'profile', 'email', 'groups'],
    usernameClaim: text(file, 'usernameClaim', where) ?? 'sub',
    usernamePrefix: text(file, 'usernamePrefix', where) ?? 'oidc:',
    groupsClaim: text(file, 'groupsClaim', where) ?? 'groups',
    groupsPrefix: text(file, 'groupsPrefix', where) ?? 'oidc:',
    roles: roleGroups(file.roles, where),
  };
}

/** Session lifetimes from the config file's `sessions: { idleMinutes, absoluteHours }`. */
export function sessionSettings(fileValue: unknown, where: string): SessionSettings {
  const file = mapping(fileValue, where, 'sessions');
  const number = (key: string, fallback: number, unit: number): number => {
    const value = file[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0))
      invalid(where, `"sessions.${key}" must be a positive number`, `e.g. sessions: { ${key}: 30 }`);
    return Math.round(value * unit);
  };
  for (const key of Object.keys(file))
    if (key !== 'idleMinutes' && key !== 'absoluteHours')
      invalid(where, `unknown setting "sessions.${key}"`, 'Known: idleMinutes, absoluteHours');
  const idleSeconds = number('idleMinutes', defaultSessionSettings.idleSeconds, 60);
  const absoluteSeconds = number('absoluteHours', defaultSessionSettings.absoluteSeconds, 3600);
  return { idleSeconds: Math.min(idleSeconds, absoluteSeconds), absoluteSeconds };
}

/** The URL people reach the server at (`publicUrl`, `GATEHOUSE_PUBLIC_URL`), without a trailing slash. */
export function publicUrlSetting(value: string | undefined, where: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid(
      where,
      `publicUrl "${value}" is not a URL`,
      'e.g. publicUrl: https://gatehouse.example.com',
    );
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash)
    invalid(
      where,
      `publicUrl "${value}" must be an http(s) URL without query`,
      'e.g. https://gatehouse.example.com',
    );
  return value.replace(/\/+$/, '');
}
