import { describe, expect, it } from 'vitest';
import { eksToken } from './token.js';

const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' };
const allowedParameters = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

/** The checks aws-iam-authenticator's Verify makes before it replays a token to STS. */
function verify(token: string, cluster: string, now: Date): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  expect(url.protocol).toBe('https:');
  expect(url.hostname).toMatch(/^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/);
  expect(url.pathname).toBe('/');
  for (const key of url.searchParams.keys()) expect(allowedParameters.has(key.toLowerCase())).toBe(true);
  expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
  expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toContain('x-k8s-aws-id');
  expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
  const date = url.searchParams.get('X-Amz-Date')!;
  const signedAt = Date.parse(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  expect(now.getTime() - signedAt).toBeLessThan(15 * 60_000);
  expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  expect(cluster).toBeTruthy();
  return url;
}

describe('EKS token', () => {
  it('is a presigned GetCallerIdentity URL that passes the authenticator checks, scoped to the region', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const { token, expiresAt } = await eksToken({ cluster: 'prod', region: 'eu-west-1', credentials, now });
    const url = verify(token, 'prod', now);
    expect(url.hostname).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAEXAMPLE/20261122/eu-west-1/sts/aws4_request');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session');
    expect(expiresAt.getTime() - now.getTime()).toBe(14 * 60_000);
  });

  it('signs the cluster name, so a token for one cluster differs from one for another', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const a = await eksToken({ cluster: 'prod', region: 'us-east-1', credentials, now });
    const b = await eksToken({ cluster: 'staging', region: 'us-east-1', credentials, now });
    const signature = (token: string) =>
      new URL(Buffer.from(token.slice(11), 'base64url').toString()).searchParams.get('X-Amz-Signature');
    expect(signature(a.token)).not.toBe(signature(b.token));
  });

  it('ends no later than a minute before the credentials that signed it', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const expiring = { ...credentials, expiration: new Date('2026-11-22T10:05:00Z') };
    const { expiresAt } = await eksToken({
      cluster: 'prod',
      region: 'eu-west-1',
      credentials: async () => expiring,
      now,
    });
    expect(expiresAt.toISOString()).toBe('2026-11-22T10:04:00.000Z');
  });

  it('uses the China partition host for cn- regions', async () => {
    const { token } = await eksToken({ cluster: 'c', region: 'cn-north-1', credentials });
    expect(verify(token, 'c', new Date()).hostname).toBe('sts.cn-north-1.amazonaws.com.cn');
  });
});
