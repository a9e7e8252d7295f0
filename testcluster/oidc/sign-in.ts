import { createHash, randomBytes } from 'node:crypto';
import { Browser, type Response } from './browser.js';
import type { OidcClient } from './users.js';

/** What the token endpoint answered for one sign-in. */
export interface TokenSet {
  /** The ID token: what the kube-apiserver's JWT authenticator accepts as a bearer token. */
  readonly idToken: string;
  readonly accessToken: string;
  /** When the ID token expires (its `exp`). */
  readonly expiresAt: Date;
}

export interface SignInOptions {
  readonly issuer: string;
  readonly ca: string;
  readonly client: OidcClient;
  readonly username: string;
  readonly password?: string;
  readonly scope: string;
  readonly nonce: string;
}

const randomToken = () => randomBytes(32).toString('base64url');

function failure(step: string, response: Response): Error {
  const text = response.body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
  return new Error(`signing in: ${step} answered ${response.status}: ${text}`);
}

/** The action of the page's sign-in form, or nothing when the page has none. */
function formAction(html: string, pageUrl: string): string | undefined {
  const action = /<form[^>]*\baction="([^"]+)"/i.exec(html)?.[1];
  return action ? new URL(action, pageUrl).href : undefined;
}

/**
 * Drives the authorization-code flow with PKCE over HTTP, as a browser and the client would:
 * authorization request, the provider's sign-in form, consent, the redirect carrying the code,
 * then the code exchanged at the token endpoint with the verifier.
 */
export async function signIn(options: SignInOptions): Promise<TokenSet> {
  const { client, issuer } = options;
  const browser = new Browser(options.ca);
  const verifier = randomToken();
  const state = randomToken();
  const redirectUri = client.redirectUris[0] ?? '';
  const authorize = new URL(`${issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: options.scope,
    state,
    nonce: options.nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await followToCallback(browser, authorize.href, redirectUri, options);
  const error = callback.searchParams.get('error');
  if (error) throw new Error(`signing in: ${error}: ${callback.searchParams.get('error_description') ?? ''}`);
  if (callback.searchParams.get('state') !== state) throw new Error('signing in: the callback state differs');
  const code = callback.searchParams.get('code') ?? '';
  return exchange(browser, { ...options, code, verifier, redirectUri });
}

async function followToCallback(
  browser: Browser,
  start: string,
  redirectUri: string,
  options: SignInOptions,
): Promise<URL> {
  let url = start;
  let response = await browser.get(url);
  for (let hop = 0; hop < 12; hop++) {
    if (response.location?.startsWith(redirectUri)) return new URL(response.location);
    if (response.location) {
      url = response.location;
      response = await browser.get(url);
      continue;
    }
    const action = response.status === 200 ? formAction(response.body, url) : undefined;
    if (!action) throw failure(`GET ${url}`, response);
    const form = { username: options.username, password: options.password ?? '' };
    response = await browser.postForm(action, form);
    if (!response.location) throw failure('the sign-in form', response);
  }
  throw new Error('signing in: more than 12 redirects before the callback');
}

async function exchange(
  browser: Browser,
  options: SignInOptions & { code: string; verifier: string; redirectUri: string },
): Promise<TokenSet> {
  const { client } = options;
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: options.redirectUri,
    code_verifier: options.verifier,
  };
  const headers: Record<string, string> = {};
  if (client.clientSecret === undefined) form.client_id = client.clientId;
  else if (client.tokenEndpointAuthMethod === 'client_secret_basic')
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  else Object.assign(form, { client_id: client.clientId, client_secret: client.clientSecret });
  const response = await browser.postForm(`${options.issuer}/token`, form, headers);
  if (response.status !== 200) throw failure('the token endpoint', response);
  const tokens = JSON.parse(response.body) as { id_token?: string; access_token?: string };
  if (!tokens.id_token) throw new Error('signing in: the token endpoint returned no id_token');
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return {
    idToken: tokens.id_token,
    accessToken: tokens.access_token ?? '',
    expiresAt: new Date(Number(claims.exp) * 1000),
  };
}
