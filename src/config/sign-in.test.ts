import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-sign-in-'));
function configFile(text: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('sign-in settings', () => {
  it('default to no OpenID Provider, 30-minute idle and 12-hour sessions, and no public URL', () => {
    const config = loadConfig({ HOME: dir });
    expect(config.oidc).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
    expect(config.sessions).toEqual({ idleSeconds: 1800, absoluteSeconds: 43_200 });
  });

  it('read the provider from the file with the cluster’s claim mapping as defaults, the secret from the environment', () => {
    const file = configFile(
      [
        'publicUrl: https://gatehouse.example.com/',
        'oidc:',
        '  issuer: https://idp.example.com',
        '  clientId: gatehouse',
        '  caFile: /etc/gatehouse/idp-ca.pem',
        '  roles: { admin: [oidc:gatehouse-admins], auditor: [oidc:auditors] }',
        'sessions: { idleMinutes: 15, absoluteHours: 8 }',
      ].join('\n'),
    );
    const config = loadConfig({ HOME: dir, GATEHOUSE_CONFIG: file, GATEHOUSE_OIDC_CLIENT_SECRET: 's3cret' });
    expect(config.publicUrl).toBe('https://gatehouse.example.com');
    expect(config.sessions).toEqual({ idleSeconds: 900, absoluteSeconds: 28_800 });
    expect(config.oidc).toEqual({
      issuer: 'https://idp.example.com',
      clientId: 'gatehouse',
      clientSecret: 's3cret',
      clientSecretFile: undefined,
      tokenEndpointAuthMethod: 'client_secret_post',
      caFile: '/etc/gatehouse/idp-ca.pem',
      scopes: ['openid', 'profile', 'email', 'groups'],
      usernameClaim: 'sub',
      usernamePrefix: 'oidc:',
      groupsClaim: 'groups',
      groupsPrefix: 'oidc:',
      roles: { admin: ['oidc:gatehouse-admins'], auditor: ['oidc:auditors'], responder: [] },
    });
  });

  it('take the provider from the environment alone', () => {
    const config = loadConfig({
      HOME: dir,
      GATEHOUSE_OIDC_ISSUER: 'https://idp.example.com',
      GATEHOUSE_OIDC_CLIENT_ID: 'gh',
      GATEHOUSE_OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc',
      GATEHOUSE_PUBLIC_URL: 'http://127.0.0.1:8080',
    });
    expect(config.oidc).toMatchObject({
      clientId: 'gh',
      clientSecretFile: '/run/secrets/oidc',
      clientSecret: undefined,
    });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('refuse a secret in the file, an unknown role, a plain-http issuer and a missing client id, naming the fix', () => {
    const cases: [string, RegExp][] = [
      [
        'oidc: { issuer: https://idp, clientId: x, clientSecret: oops }',
        /unknown setting "oidc.clientSecret"/,
      ],
      ['oidc: { issuer: https://idp, clientId: x, roles: { root: [a] } }', /unknown platform role "root"/],
      ['oidc: { issuer: http://idp, clientId: x }', /not an https URL/],
      ['oidc: { issuer: https://idp }', /no client id/],
      ['sessions: { idleMinutes: -1 }', /"sessions.idleMinutes" must be a positive number/],
      ['publicUrl: ftp://x', /must be an http\(s\) URL/],
    ];
    for (const [text, message] of cases)
      expect(() => loadConfig({ HOME: dir, GATEHOUSE_CONFIG: configFile(text) }), text).toThrow(message);
  });
});
