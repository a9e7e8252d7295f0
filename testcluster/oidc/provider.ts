import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { cacheRoot } from '../paths.js';
import { issueServerCertificate, loadOrCreateCertificateAuthority } from './certificate-authority.js';
import { oidcCaDir, oidcIssuerPort } from './cluster-trust.js';
import { configuration } from './configuration.js';
import { interactionRoutes } from './interaction.js';
import { signIn, type TokenSet } from './sign-in.js';
import { defaultClients, type OidcClient, type OidcUser } from './users.js';

export interface OidcProviderOptions {
  /** The people who can sign in, by username (their `sub`). */
  readonly users: Readonly<Record<string, OidcUser>>;
  /** Registered clients; default: Gatehouse's and kubectl's (`defaultClients`). */
  readonly clients?: readonly OidcClient[];
  /**
   * Loopback port; default `oidcIssuerPort`, the issuer the test cluster trusts. 0 picks a
   * free port for tests that do not involve the cluster.
   */
  readonly port?: number;
  /** Where the CA is kept; default the test-cluster cache (`oidcCaDir()`). */
  readonly caDir?: string;
}

export interface TokenRequest {
  readonly username: string;
  readonly password?: string;
  /** Which registered client asks; default `gatehouse`. The ID token's `aud` is its id. */
  readonly clientId?: string;
  /** Default `openid profile email groups`. */
  readonly scope?: string;
  /** Lifetime of the ID token; default one hour. */
  readonly lifetimeSeconds?: number;
}

/** A running provider. */
export interface OidcProvider {
  /** `https://127.0.0.1:<port>`, exactly as in the tokens' `iss` and the discovery document. */
  readonly issuer: string;
  /** The CA that signed the provider's certificate (PEM); clients must trust it. */
  readonly caCertificate: string;
  /** The same CA as a file, for `NODE_EXTRA_CA_CERTS`, curl `--cacert` and the like. */
  readonly caFile: string;
  readonly clients: readonly OidcClient[];
  /** Signs a user in through the authorization-code flow with PKCE and returns the tokens. */
  tokensFor(request: TokenRequest): Promise<TokenSet>;
  /** Adds a user or replaces one (new groups apply to the next sign-in). */
  setUser(username: string, user: OidcUser): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `starting the test OpenID Provider: port ${port} on 127.0.0.1 is taken, most likely by another test provider; close it (only one can serve the issuer the test cluster trusts)`,
              { cause: error },
            )
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Starts a real OpenID Provider (`oidc-provider`) on loopback HTTPS, its certificate signed by
 * the CA kept under the test-cluster cache, which the test cluster's kube-apiserver trusts.
 *
 * @example
 * const op = await startOidcProvider({ users: { alice: { groups: ['devs'] } } });
 * const { idToken } = await op.tokensFor({ username: 'alice', clientId: 'kubernetes' });
 * // idToken authenticates to the test cluster as oidc:alice in group oidc:devs
 * await op.close();
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const caDir = options.caDir ?? oidcCaDir(cacheRoot());
  const ca = loadOrCreateCertificateAuthority(caDir);
  const certificate = issueServerCertificate(ca);
  const users = new Map(Object.entries(options.users));
  const clients = options.clients ?? defaultClients;
  const lifetimes = new Map<string, number>();
  const server = createServer({ cert: certificate.certificatePem, key: certificate.keyPem });
  const port = await listen(server, options.port ?? oidcIssuerPort);
  const issuer = `https://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration(users, clients, lifetimes));
  const interactions = interactionRoutes(provider, users);
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (!path.startsWith('/interaction/')) return callback(req, res);
    interactions(req, res, path).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  return {
    issuer,
    caCertificate: ca.certificatePem,
    caFile: join(caDir, 'ca.crt'),
    clients,
    async tokensFor(request) {
      const client = clients.find((candidate) => candidate.clientId === (request.clientId ?? 'gatehouse'));
      if (!client) throw new Error(`no client ${request.clientId} is registered at the test OpenID Provider`);
      const nonce = randomBytes(16).toString('base64url');
      if (request.lifetimeSeconds !== undefined) lifetimes.set(nonce, request.lifetimeSeconds);
      try {
        return await signIn({
          issuer,
          ca: ca.certificatePem,
          client,
          username: request.username,
          ...(request.password === undefined ? {} : { password: request.password }),
          scope: request.scope ?? 'openid profile email groups',
          nonce,
        });
      } finally {
        lifetimes.delete(nonce);
      }
    },
    setUser(username, user) {
      users.set(username, user);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
