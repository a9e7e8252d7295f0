import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import type { OidcSettings } from '../config/index.js';
import { AppError, messageOf } from '../errors.js';
import { identityFromClaims, type SignedInIdentity } from './claims.js';
import { fetchTrusting } from './trusting-fetch.js';

/** What the browser keeps (in a short-lived HttpOnly cookie) between the redirect and the callback. */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

/** Sign-in through one OpenID Provider: authorization code with PKCE, state and nonce. */
export interface OidcSignIn {
  readonly issuer: string;
  /** The provider's authorization URL for this attempt, and what the callback will need. */
  begin(redirectUri: string): Promise<{ readonly url: string; readonly pending: PendingSignIn }>;
  /** Checks the callback (state, code exchange with the verifier, ID token with the nonce) and maps the claims. */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<SignedInIdentity>;
}

function readFile(path: string, what: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('config.invalid', `cannot read the ${what} ${path}: ${messageOf(error)}`, {
      fix: `Fix ${setting} or the file's permissions`,
      cause: error,
    });
  }
}

/** The client secret: from the environment, else from the file named (trailing newline dropped). */
function clientSecret(settings: OidcSettings): string | undefined {
  if (settings.clientSecret) return settings.clientSecret;
  if (!settings.clientSecretFile) return undefined;
  return readFile(settings.clientSecretFile, 'OIDC client secret file', 'oidc.clientSecretFile').trim();
}

/** Why the provider could not be used, with the setting to look at. */
export function providerError(settings: OidcSettings, doing: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const causes: string[] = [];
  for (let cause: unknown = error; cause instanceof Error && causes.length < 4; cause = cause.cause)
    causes.push(`${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message}`);
  const text = causes.join(' ← ');
  const fix = /CERT|certificate|self.signed|UNABLE_TO_VERIFY/i.test(text)
    ? `Trust the CA that signed ${settings.issuer}'s certificate: set oidc.caFile (or GATEHOUSE_OIDC_CA_FILE) to its PEM file`
    : /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timed? ?out|fetch failed/i.test(text)
      ? `Check oidc.issuer (${settings.issuer}) and that the provider is reachable from this server`
      : /invalid_client|unauthorized_client/i.test(text)
        ? 'Check oidc.clientId, the client secret (GATEHOUSE_OIDC_CLIENT_SECRET or oidc.clientSecretFile) and oidc.tokenEndpointAuthMethod'
        : `Check that ${settings.issuer}/.well-known/openid-configuration answers with this issuer, and the provider's log`;
  return new AppError('idp.unavailable', `${doing} at ${settings.issuer}: ${text.trim()}`, {
    fix,
    cause: error,
  });
}

/**
 * The OpenID Provider as Gatehouse uses it. Discovery happens on first use and is kept once it
 * succeeds; a failure is reported to that sign-in and retried by the next.
 *
 * @example
 * const oidc = oidcSignIn(config.oidc);
 * const { url, pending } = await oidc.begin('https://gatehouse.example.com/auth/callback');
 */
export function oidcSignIn(settings: OidcSettings): OidcSignIn {
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= discover(settings).catch((error: unknown) => {
      discovered = undefined;
      throw providerError(settings, 'discovering the OpenID Provider', error);
    });
    return discovered;
  };
  return {
    issuer: settings.issuer,
    async begin(redirectUri) {
      const config = await configuration();
      const pending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending };
    },
    async finish(callbackUrl, pending) {
      const refusal = callbackUrl.searchParams.get('error');
      if (refusal) {
        const description = (callbackUrl.searchParams.get('error_description') ?? '').slice(0, 300);
        throw new AppError(
          'auth.unauthorized',
          `the identity provider refused the sign-in: ${refusal.slice(0, 100)} ${description}`.trim(),
          {
            fix: 'Sign in again; if it keeps failing, ask your identity provider administrator whether you may use Gatehouse',
          },
        );
      }
      const config = await configuration();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          pkceCodeVerifier: pending.verifier,
          idTokenExpected: true,
        });
      } catch (error) {
        throw callbackError(settings, error);
      }
      const claims = tokens.claims();
      if (!claims) throw providerError(settings, 'exchanging the code', new Error('no ID token came back'));
      return identityFromClaims(claims, settings);
    },
  };
}

/** A callback that does not check out is the browser's problem (stale, replayed, forged); the provider's errors are the server's. */
function callbackError(settings: OidcSettings, error: unknown): AppError {
  const text = messageOf(error);
  if (
    error instanceof client.AuthorizationResponseError ||
    /state|nonce|code_verifier|invalid_grant/i.test(text)
  )
    return new AppError('auth.unauthorized', `the sign-in could not be completed: ${text}`, {
      fix: 'Start again from the sign-in page (the attempt was stale, replayed or from another browser)',
      cause: error,
    });
  return providerError(settings, 'exchanging the authorization code', error);
}

async function discover(settings: OidcSettings): Promise<client.Configuration> {
  const secret = clientSecret(settings);
  const auth =
    secret === undefined
      ? client.None()
      : settings.tokenEndpointAuthMethod === 'client_secret_basic'
        ? client.ClientSecretBasic(secret)
        : client.ClientSecretPost(secret);
  const ca = settings.caFile ? readFile(settings.caFile, 'OIDC CA file', 'oidc.caFile') : undefined;
  return await client.discovery(new URL(settings.issuer), settings.clientId, undefined, auth, {
    timeout: 10,
    ...(ca ? { [client.customFetch]: fetchTrusting(ca) } : {}),
  });
}
