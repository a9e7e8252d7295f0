import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { cacheRoot } from '../paths.js';
import { loadOrCreateCertificateAuthority } from './certificate-authority.js';

/**
 * The port of the test OpenID Provider the test cluster trusts. Fixed, because the issuer URL
 * is written into the kube-apiserver's configuration when the cluster starts, before any
 * provider runs (the apiserver fetches discovery lazily and retries every 10 s until it answers).
 * Well below 32767, from which kwokctl hands its components free ports downwards, and below the
 * kernel's ephemeral range (32768 on), so nothing else takes it while no provider runs.
 */
export const oidcIssuerPort = 32640;
export const oidcIssuer = `https://127.0.0.1:${oidcIssuerPort}`;

/**
 * How the cluster turns ID-token claims into a Kubernetes user. Gatehouse's sign-in must map
 * the same way, so that the subject a person signs in as is the user the cluster authorizes.
 */
export const clusterClaimMapping = {
  usernameClaim: 'sub',
  usernamePrefix: 'oidc:',
  groupsClaim: 'groups',
  groupsPrefix: 'oidc:',
} as const;

/** The client ids whose ID tokens the cluster accepts (`aud`): Gatehouse's and kubectl's. */
export const clusterAudiences = ['gatehouse', 'kubernetes'] as const;

/** Where the provider's CA lives: beside the cluster, not inside it, so a restart keeps it. */
export function oidcCaDir(root = cacheRoot()): string {
  return join(root, 'oidc-ca');
}

/** The `--authentication-config` document: one JWT authenticator for the test provider. */
export function authenticationConfiguration(caCertificatePem: string): Record<string, unknown> {
  const mapping = clusterClaimMapping;
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: {
          url: oidcIssuer,
          certificateAuthority: caCertificatePem,
          audiences: [...clusterAudiences],
          audienceMatchPolicy: 'MatchAny',
        },
        claimMappings: {
          username: { claim: mapping.usernameClaim, prefix: mapping.usernamePrefix },
          groups: { claim: mapping.groupsClaim, prefix: mapping.groupsPrefix },
        },
      },
    ],
  };
}

/** The file name of the configuration inside the cluster directory. */
export const authenticationConfigFile = 'authentication-config.yaml';

/**
 * Writes the configuration for a cluster starting in `clusterDir`, trusting the CA kept under
 * `root` (made now when missing); returns its path for `--authentication-config`.
 */
export function writeAuthenticationConfig(clusterDir: string, root = cacheRoot()): string {
  const ca = loadOrCreateCertificateAuthority(oidcCaDir(root));
  const path = join(clusterDir, authenticationConfigFile);
  // Whole or not at all: a running apiserver reloads the file when it changes.
  writeFileSync(`${path}.new`, toYaml(authenticationConfiguration(ca.certificatePem)));
  renameSync(`${path}.new`, path);
  return path;
}

/** Whether the configuration text trusts exactly this CA (the first JWT authenticator's). */
export function trustsCertificateAuthority(configText: string, caCertificatePem: string): boolean {
  const config = parseYaml(configText) as { jwt?: { issuer?: { certificateAuthority?: string } }[] } | null;
  return config?.jwt?.[0]?.issuer?.certificateAuthority === caCertificatePem;
}

/**
 * Whether a cluster in `clusterDir` trusts the CA kept under `root`: false for a cluster started
 * before the provider existed, or after its CA was removed (a new one would not be trusted).
 */
export function clusterTrustsOidcCa(clusterDir: string, root = cacheRoot()): boolean {
  const path = join(clusterDir, authenticationConfigFile);
  if (!existsSync(path)) return false;
  const ca = loadOrCreateCertificateAuthority(oidcCaDir(root));
  return trustsCertificateAuthority(readFileSync(path, 'utf8'), ca.certificatePem);
}
