import type { KubeConfig } from '@kubernetes/client-node';
import { clientNode } from './client-node.js';

/** A short-lived bearer token and when it stops being usable. */
export interface BearerToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export type TokenSource = () => Promise<BearerToken>;

export interface BearerClusterOptions {
  /** Context, cluster and user name in the KubeConfig. */
  readonly name: string;
  readonly server: string;
  /** Base64 PEM of the cluster CA, as cloud APIs return it. */
  readonly caData?: string;
  readonly tokens: TokenSource;
  /** Fetch a new token when less than this remains (default 60 s). */
  readonly refreshBeforeMs?: number;
  readonly now?: () => number;
}

const providerName = 'gatehouse-bearer';

/**
 * One token at a time from a source, fetched again shortly before it ends. Parallel callers at
 * renewal share one fetch, so a burst of requests never mints a burst of tokens.
 */
export function renewingToken(
  source: TokenSource,
  options: { readonly refreshBeforeMs?: number; readonly now?: () => number } = {},
): () => Promise<string> {
  const margin = options.refreshBeforeMs ?? 60_000;
  const now = options.now ?? Date.now;
  let current: BearerToken | undefined;
  let pending: Promise<BearerToken> | undefined;
  return async () => {
    if (current && current.expiresAt.getTime() - now() > margin) return current.token;
    pending ??= source().finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current.token;
  };
}

/**
 * A KubeConfig for a cloud cluster whose token is renewed before it expires, for every request
 * and every exec/attach stream made through it (client-node asks the authenticator each time).
 */
export function bearerKubeConfig(options: BearerClusterOptions): KubeConfig {
  const token = renewingToken(options.tokens, options);
  const config = new (clientNode().KubeConfig)();
  config.loadFromOptions({
    clusters: [
      {
        name: options.name,
        server: options.server,
        ...(options.caData ? { caData: options.caData } : {}),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: options.name, authProvider: { name: providerName, config: {} } }],
    contexts: [{ name: options.name, cluster: options.name, user: options.name }],
    currentContext: options.name,
  });
  config.addAuthenticator({
    isAuthProvider: (user) => user.name === options.name && user.authProvider?.name === providerName,
    applyAuthentication: async (_user, opts) => {
      opts.headers = { ...opts.headers, Authorization: `Bearer ${await token()}` };
    },
  });
  return config;
}
