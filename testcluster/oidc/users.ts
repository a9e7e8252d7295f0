/** A person the test OpenID Provider knows; the username is the `sub` claim. */
export interface OidcUser {
  /** The `groups` claim. */
  readonly groups: readonly string[];
  readonly email?: string;
  readonly name?: string;
  /** When set, sign-in checks it; otherwise any password is accepted. */
  readonly password?: string;
}

/** An OAuth client registered at start (static, as a company IdP registers Gatehouse). */
export interface OidcClient {
  readonly clientId: string;
  /** Absent: a public client, which proves itself with PKCE alone. */
  readonly clientSecret?: string;
  /** How a confidential client authenticates at the token endpoint (default: `client_secret_post`). */
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  /**
   * Loopback redirect URIs match on any port (RFC 8252 §7.3), so a server the test started on a
   * random port can use `http://127.0.0.1/…` as registered.
   */
  readonly anyLoopbackPort?: boolean;
}

/** Gatehouse itself: confidential, PKCE, callback on any loopback port. */
export const gatehouseClient: OidcClient = {
  clientId: 'gatehouse',
  clientSecret: 'gatehouse-test-secret',
  redirectUris: ['http://127.0.0.1/auth/callback', 'http://localhost/auth/callback'],
  postLogoutRedirectUris: ['http://127.0.0.1/', 'http://localhost/'],
  anyLoopbackPort: true,
};

/** What a person's kubectl uses (kubelogin-style): public, PKCE, loopback callback. */
export const kubernetesClient: OidcClient = {
  clientId: 'kubernetes',
  redirectUris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
  anyLoopbackPort: true,
};

export const defaultClients: readonly OidcClient[] = [gatehouseClient, kubernetesClient];

/**
 * People for `npm run oidc` and demos: one per part they play in the access pillar. Group names
 * are the IdP's; the cluster and Gatehouse see them prefixed (`oidc:devs`).
 */
export const demoUsers: Readonly<Record<string, OidcUser>> = {
  alice: { name: 'Alice Developer', groups: ['devs'] },
  bob: { name: 'Bob Approver', groups: ['approvers', 'devs'] },
  carol: { name: 'Carol Admin', groups: ['gatehouse-admins'] },
  dave: { name: 'Dave Auditor', groups: ['auditors'] },
  rita: { name: 'Rita Responder', groups: ['responders'] },
};
