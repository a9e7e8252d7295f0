import { describe, expect, it } from 'vitest';
import { decodeAttempt, encodeAttempt, safeNext, targetOf } from './attempt.js';

describe('sign-in attempts', () => {
  it('return only to same-origin paths', () => {
    expect(safeNext('/access/requests?state=pending')).toBe('/access/requests?state=pending');
    for (const hostile of ['https://evil.test/', '//evil.test', '/\\evil.test', 'evil', '/a\r\nb', undefined])
      expect(safeNext(hostile)).toBe('/');
  });

  it('take a CLI target only with a loopback port, a SHA-256 challenge and a state', () => {
    const query = (values: Record<string, string>) => (name: string) => values[name];
    const good = { cli_port: '49152', cli_challenge: 'a'.repeat(43), cli_state: 's'.repeat(32) };
    expect(targetOf(query(good))).toEqual({
      kind: 'cli',
      port: 49152,
      challenge: 'a'.repeat(43),
      state: 's'.repeat(32),
    });
    for (const bad of [
      { cli_port: '80' },
      { cli_port: '1e4' },
      { cli_challenge: 'short' },
      { cli_state: 'x' },
    ])
      expect(() => targetOf(query({ ...good, ...bad }))).toThrow(/malformed/);
    expect(targetOf(query({ next: '//evil' }))).toEqual({ kind: 'page', next: '/' });
  });

  it('read back what they wrote, and nothing from a mangled or hostile cookie', () => {
    const attempt = {
      state: 's',
      nonce: 'n',
      verifier: 'v',
      target: { kind: 'page', next: '/audit' },
    } as const;
    expect(decodeAttempt(encodeAttempt(attempt))).toEqual(attempt);
    expect(decodeAttempt('not-base64-json')).toBeUndefined();
    const hostile = encodeAttempt({ ...attempt, target: { kind: 'page', next: 'https://evil.test' } });
    expect(decodeAttempt(hostile)?.target).toEqual({ kind: 'page', next: '/' });
  });
});
