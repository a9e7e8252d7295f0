import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createCertificateAuthority } from './certificate-authority.js';
import {
  authenticationConfiguration,
  clusterTrustsOidcCa,
  oidcCaDir,
  oidcIssuer,
  trustsCertificateAuthority,
  writeAuthenticationConfig,
} from './cluster-trust.js';

describe('the test cluster trusting the OpenID Provider', () => {
  it('configures one JWT authenticator for the fixed loopback issuer with prefixed users and groups', () => {
    const ca = createCertificateAuthority().certificatePem;
    expect(authenticationConfiguration(ca)).toEqual({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: {
            url: 'https://127.0.0.1:32640',
            certificateAuthority: ca,
            audiences: ['gatehouse', 'kubernetes'],
            audienceMatchPolicy: 'MatchAny',
          },
          claimMappings: {
            username: { claim: 'sub', prefix: 'oidc:' },
            groups: { claim: 'groups', prefix: 'oidc:' },
          },
        },
      ],
    });
    expect(oidcIssuer).toBe('https://127.0.0.1:32640');
  });

  it('writes the CA kept under the cache, so a reused cluster and a later provider agree on it', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-trust-'));
    const clusterDir = mkdtempSync(join(root, 'cluster-'));
    const path = writeAuthenticationConfig(clusterDir, root);
    const written = parse(readFileSync(path, 'utf8'));
    expect(written.jwt[0].issuer.certificateAuthority).toContain('BEGIN CERTIFICATE');
    expect(clusterTrustsOidcCa(clusterDir, root)).toBe(true);
  });

  it('says a cluster no longer trusts the CA once the CA was removed and made anew', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-trust-'));
    const clusterDir = mkdtempSync(join(root, 'cluster-'));
    writeAuthenticationConfig(clusterDir, root);
    rmSync(oidcCaDir(root), { recursive: true });
    expect(clusterTrustsOidcCa(clusterDir, root)).toBe(false);
  });

  it('says a cluster started before the provider existed does not trust it', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-trust-'));
    expect(clusterTrustsOidcCa(mkdtempSync(join(root, 'cluster-')), root)).toBe(false);
    expect(trustsCertificateAuthority('', createCertificateAuthority().certificatePem)).toBe(false);
  });
});
