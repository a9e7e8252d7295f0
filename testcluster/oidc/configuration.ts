import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ClientMetadata, Configuration } from 'oidc-provider';
import { memoryAdapter } from './memory-adapter.js';
import type { OidcClient, OidcUser } from './users.js';

function clientMetadata(client: OidcClient): ClientMetadata {
  const secret = client.clientSecret;
  return {
    client_id: client.clientId,
    ...(secret === undefined
      ? { token_endpoint_auth_method: 'none' }
      : {
          client_secret: secret,
          token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_post',
        }),
    application_type: client.anyLoopbackPort ? 'native' : 'web',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])],
  };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

/** oidc-provider's configuration: static clients, the users' claims, our own sign-in pages. */
export function configuration(
  users: ReadonlyMap<string, OidcUser>,
  clients: readonly OidcClient[],
  lifetimes: ReadonlyMap<string, number>,
): Configuration {
  return {
    adapter: memoryAdapter(),
    clients: clients.map(clientMetadata),
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          preferred_username: id,
          name: user.name ?? id,
          email: user.email ?? `${id}@example.test`,
          email_verified: true,
          groups: [...user.groups],
        }),
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    scopes: ['openid', 'profile', 'email', 'groups'],
    // Scope claims (groups) go into the ID token itself, which is what the cluster reads.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [signingKey()] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      Interaction: 600,
      Session: 3600,
      // A test asks for a short-lived token by its nonce, the one value the code carries over.
      IdToken: (_ctx, token) => lifetimes.get(String(token.extra.nonce ?? '')) ?? 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'text/plain';
      ctx.body = `${out.error}: ${out.error_description ?? ''}`;
    },
  };
}
