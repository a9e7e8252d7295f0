import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from './browser.js';
import { type OidcProvider, startOidcProvider } from './provider.js';

const caDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-op-')), 'oidc-ca');
let op: OidcProvider;

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));

beforeAll(async () => {
  op = await startOidcProvider({
    users: { alice: { groups: ['devs'] }, bob: { groups: ['approvers'], password: 'hunter2' } },
    port: 0,
    caDir,
  });
});
afterAll(() => op.close());

describe('the test OpenID Provider', () => {
  it('publishes discovery for its https loopback issuer with the code flow and S256 PKCE', async () => {
    const response = await new Browser(op.caCertificate).get(`${op.issuer}/.well-known/openid-configuration`);
    const discovery = JSON.parse(response.body);
    expect(discovery.issuer).toBe(op.issuer);
    expect(op.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    expect(discovery.response_types_supported).toContain('code');
    expect(discovery.claims_supported).toContain('groups');
  });

  it('signs alice in through the code flow and her ID token carries her groups, signed by a key it publishes', async () => {
    const tokens = await op.tokensFor({ username: 'alice', clientId: 'kubernetes' });
    const claims = claimsOf(tokens.idToken);
    expect(claims).toMatchObject({ iss: op.issuer, sub: 'alice', aud: 'kubernetes', groups: ['devs'] });
    expect(claims.exp - claims.iat).toBe(3600);
    const [header = '', payload = '', signature = ''] = tokens.idToken.split('.');
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    expect(alg).toBe('RS256');
    const discovery = JSON.parse(
      (await new Browser(op.caCertificate).get(`${op.issuer}/.well-known/openid-configuration`)).body,
    );
    const jwks = JSON.parse((await new Browser(op.caCertificate).get(discovery.jwks_uri)).body) as {
      keys: (JsonWebKey & { kid: string })[];
    };
    const jwk = jwks.keys.find((key) => key.kid === kid);
    expect(jwk).toBeDefined();
    const key = createPublicKey({ key: jwk!, format: 'jwk' });
    expect(
      verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('gives Gatehouse, a confidential client, its own audience', async () => {
    const tokens = await op.tokensFor({ username: 'alice' });
    expect(claimsOf(tokens.idToken).aud).toBe('gatehouse');
    expect(tokens.accessToken).not.toBe('');
  });

  it('issues a token with the lifetime a test asks for', async () => {
    const tokens = await op.tokensFor({ username: 'alice', lifetimeSeconds: 2 });
    const claims = claimsOf(tokens.idToken);
    expect(claims.exp - claims.iat).toBe(2);
    expect(tokens.expiresAt.getTime()).toBe(claims.exp * 1000);
  });

  it('refuses an unknown user and a wrong password, and accepts the right one', async () => {
    await expect(op.tokensFor({ username: 'mallory' })).rejects.toThrow(
      /401.*Unknown user or wrong password/,
    );
    await expect(op.tokensFor({ username: 'bob', password: 'nope' })).rejects.toThrow(/401/);
    const tokens = await op.tokensFor({ username: 'bob', password: 'hunter2' });
    expect(claimsOf(tokens.idToken).groups).toEqual(['approvers']);
  });

  it('puts a user’s new groups in the next sign-in', async () => {
    op.setUser('carol', { groups: ['a'] });
    expect(claimsOf((await op.tokensFor({ username: 'carol' })).idToken).groups).toEqual(['a']);
    op.setUser('carol', { groups: ['a', 'b'] });
    expect(claimsOf((await op.tokensFor({ username: 'carol' })).idToken).groups).toEqual(['a', 'b']);
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(`${op.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'gatehouse',
      redirect_uri: 'http://127.0.0.1/auth/callback',
      response_type: 'code',
      scope: 'openid',
    }).toString();
    const response = await new Browser(op.caCertificate).get(url.href);
    const callback = new URL(response.location ?? 'http://invalid/');
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('accepts Gatehouse’s callback on whatever loopback port it listens', async () => {
    const url = new URL(`${op.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'gatehouse',
      redirect_uri: 'http://127.0.0.1:43123/auth/callback',
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const response = await new Browser(op.caCertificate).get(url.href);
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/\/interaction\//);
  });

  it('says the port is taken when a second provider wants the same one', async () => {
    const port = Number(new URL(op.issuer).port);
    await expect(startOidcProvider({ users: {}, port, caDir })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is taken`,
    );
  });
});
