// A real OpenID Provider for tests and local runs, and the test cluster's trust in it.

export { Browser, type Response as BrowserResponse } from './browser.js';
export {
  type CertificateAuthority,
  createCertificateAuthority,
  issueServerCertificate,
  loadOrCreateCertificateAuthority,
  type ServerCertificate,
} from './certificate-authority.js';
export {
  authenticationConfigFile,
  authenticationConfiguration,
  clusterAudiences,
  clusterClaimMapping,
  clusterTrustsOidcCa,
  oidcCaDir,
  oidcIssuer,
  oidcIssuerPort,
  trustsCertificateAuthority,
  writeAuthenticationConfig,
} from './cluster-trust.js';
export {
  type OidcProvider,
  type OidcProviderOptions,
  startOidcProvider,
  type TokenRequest,
} from './provider.js';
export type { TokenSet } from './sign-in.js';
export {
  defaultClients,
  demoUsers,
  gatehouseClient,
  kubernetesClient,
  type OidcClient,
  type OidcUser,
} from './users.js';
