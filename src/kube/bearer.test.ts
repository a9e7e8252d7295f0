import type https from 'node:https';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { bearerKubeConfig, renewingToken } from './bearer.js';
import { KubeClient } from './client.js';

describe('renewing bearer tokens', () => {
  it('reuses a token until a minute before it ends, then fetches one new token for parallel callers', async () => {
    let clock = 0;
    let minted = 0;
    const token = renewingToken(
      async () => {
        minted++;
        return { token: `t${minted}`, expiresAt: new Date(clock + 5 * 60_000) };
      },
      { now: () => clock },
    );
    expect(await token()).toBe('t1');
    clock = 3 * 60_000;
    expect(await token()).toBe('t1');
    clock = 4 * 60_000 + 1;
    expect(await Promise.all([token(), token(), token()])).toEqual(['t2', 't2', 't2']);
    expect(minted).toBe(2);
  });

  it('puts the current token on every request made through the KubeConfig', async () => {
    let minted = 0;
    const config = bearerKubeConfig({
      name: 'eks/111122223333/eu-west-1/prod',
      server: 'https://example.eks.amazonaws.com',
      caData: Buffer.from('not a real CA').toString('base64'),
      tokens: async () => ({ token: `token-${++minted}`, expiresAt: new Date(Date.now() + 30_000) }),
    });
    const first: https.RequestOptions = {};
    await config.applyToHTTPSOptions(first);
    const second: https.RequestOptions = {};
    await config.applyToHTTPSOptions(second);
    // 30 s left is inside the one-minute margin: each request gets a new token.
    expect((first.headers as Record<string, string>).Authorization).toBe('Bearer token-1');
    expect((second.headers as Record<string, string>).Authorization).toBe('Bearer token-2');
    expect(config.getCurrentCluster()?.server).toBe('https://example.eks.amazonaws.com');
  });

  it("keeps a token source's own error and fix instead of blaming an exec plugin", async () => {
    const config = bearerKubeConfig({
      name: 'eks/111122223333/eu-west-1/prod',
      server: 'https://127.0.0.1:1',
      caData: Buffer.from('not a real CA').toString('base64'),
      tokens: async () => {
        throw new AppError('auth.unauthorized', 'the AWS credentials have expired', {
          fix: 'Renew them (aws sso login)',
        });
      },
    });
    const failure = await new KubeClient(config)
      .request({ path: '/version' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).fix).toBe('Renew them (aws sso login)');
    expect((failure as AppError).message).toContain('the AWS credentials have expired');
    expect((failure as AppError).message).toContain('eks/111122223333/eu-west-1/prod');
  });
});
