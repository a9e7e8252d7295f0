import { describe, expect, it } from 'vitest';
import { proxyFor } from './proxy.js';

describe('which proxy the agent dials through', () => {
  it('uses HTTPS_PROXY for wss and HTTP_PROXY for ws, as curl reads them, lowercase names too', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', http_proxy: 'plain.corp:8080' };
    expect(proxyFor(new URL('wss://gatehouse.example.com/v1/agents/connect'), env)?.host).toBe(
      'proxy.corp:3128',
    );
    expect(proxyFor(new URL('ws://gatehouse.internal/v1/agents/connect'), env)?.host).toBe('plain.corp:8080');
    expect(proxyFor(new URL('wss://gatehouse.example.com/'), {})).toBeUndefined();
  });

  it('goes direct for hosts NO_PROXY names, by exact name or domain suffix, and for everything with *', () => {
    const env = {
      HTTPS_PROXY: 'http://proxy.corp:3128',
      NO_PROXY: 'localhost, .svc.cluster.local,example.org',
    };
    const via = (url: string, extra: NodeJS.ProcessEnv = {}) =>
      proxyFor(new URL(url), { ...env, ...extra })?.host;
    expect(via('wss://gatehouse.gatehouse.svc.cluster.local/')).toBeUndefined();
    expect(via('wss://example.org/')).toBeUndefined();
    expect(via('wss://api.example.org/')).toBeUndefined();
    expect(via('wss://notexample.org/')).toBe('proxy.corp:3128');
    expect(via('wss://gatehouse.example.com/', { NO_PROXY: '*' })).toBeUndefined();
  });
});
