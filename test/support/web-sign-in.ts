import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OidcSettings } from '../../src/config/index.js';
import { AppError } from '../../src/errors.js';
import { oidcSignIn } from '../../src/identity/index.js';
import { type RunningServer, type SignInSettings, startServer } from '../../src/server/index.js';
import type { Store } from '../../src/store/index.js';
import type { Browser, BrowserResponse, OidcProvider } from '../../testcluster/oidc/index.js';

/** Gatehouse's OIDC settings for the test provider, mapping its groups to roles as a company would. */
export function testOidcSettings(op: OidcProvider, overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: op.issuer,
    clientId: 'gatehouse',
    clientSecret: 'gatehouse-test-secret',
    clientSecretFile: undefined,
    tokenEndpointAuthMethod: 'client_secret_post',
    caFile: op.caFile,
    scopes: ['openid', 'profile', 'email', 'groups'],
    usernameClaim: 'sub',
    usernamePrefix: 'oidc:',
    groupsClaim: 'groups',
    groupsPrefix: 'oidc:',
    roles: { admin: ['oidc:gatehouse-admins'], auditor: ['oidc:auditors'], responder: ['oidc:responders'] },
    ...overrides,
  };
}

/** A real `gatehouse serve` (API, sign-in, reconciler) over the store, on a free loopback port, with no clusters. */
export async function serverWithSignIn(store: Store, signIn: SignInSettings): Promise<RunningServer> {
  return await startServer({
    gatehouse: {
      store: async () => store,
      clusters: {
        client: async (cluster) => {
          throw new AppError('cluster.unreachable', `${cluster} is not reachable in this test`);
        },
        accessEntries: async () => undefined,
      },
    },
    host: '127.0.0.1',
    port: 0,
    intervalMs: 60_000,
    webhooks: [],
    log: () => undefined,
    signIn,
  });
}

export const signInSettings = (op: OidcProvider, overrides: Partial<OidcSettings> = {}): SignInSettings => ({
  oidc: oidcSignIn(testOidcSettings(op, overrides)),
});

/**
 * Follows a sign-in as a browser would: Gatehouse's /auth redirects and the provider's pages,
 * filling in its sign-in form as `username`, until a redirect leaves both (the page to return to,
 * or the CLI's loopback listener), which is returned unfollowed. A page on the way is returned too.
 */
export async function signInAs(
  browser: Browser,
  start: string,
  options: { readonly username: string; readonly issuer: string },
): Promise<BrowserResponse> {
  const gatehouse = new URL(start).origin;
  let url = start;
  let response = await browser.get(url);
  for (let hop = 0; hop < 15; hop++) {
    const next = response.location ? new URL(response.location) : undefined;
    const onTheWay =
      next &&
      (next.origin === options.issuer || (next.origin === gatehouse && next.pathname.startsWith('/auth/')));
    if (next && onTheWay) {
      url = next.href;
      response = await browser.get(url);
      continue;
    }
    const action = /<form[^>]*\baction="([^"]+)"/i.exec(response.body)?.[1];
    if (next || response.status !== 200 || !url.startsWith(options.issuer) || !action) return response;
    response = await browser.postForm(new URL(action, url).href, {
      username: options.username,
      password: '',
    });
  }
  throw new Error(`signing in from ${start}: more than 15 hops`);
}

export const tempHome = () => mkdtempSync(join(tmpdir(), 'gatehouse-signin-'));
