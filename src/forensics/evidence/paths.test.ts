import { describe, expect, it } from 'vitest';
import { containedPath, printable } from './paths.js';

describe('containedPath', () => {
  it('keeps ordinary paths readable', () => {
    expect(containedPath('/etc/ssh/sshd_config')).toBe('etc/ssh/sshd_config');
    expect(containedPath('/home/app/.ash_history')).toBe('home/app/.ash_history');
  });

  it('encodes every component that could climb out or mean something else', () => {
    expect(containedPath('/etc/../../x')).toBe('etc/%2E%2E/%2E%2E/x');
    expect(containedPath('a//b/./c')).toBe('a/%00/b/%2E/c');
    expect(containedPath('/')).toBe('%2F');
    expect(containedPath('/tmp/%2E%2E')).toBe('tmp/%252E%252E');
  });

  it('encodes control characters and non-ASCII, and shortens very long names with a hash', () => {
    expect(containedPath('/tmp/\u001b]0;pwned\u0007')).toBe('tmp/%1B%5D0%3Bpwned%07');
    expect(containedPath('/tmp/é')).toBe('tmp/%C3%A9');
    const long = containedPath(`/tmp/${'a'.repeat(500)}`);
    expect(long.length).toBeLessThan(130);
    expect(long).toMatch(/^tmp\/a+~[0-9a-f]{16}$/);
  });

  it('prints hostile text with control characters escaped', () => {
    expect(printable('a\u001b[2Jb\n')).toBe('a\\u001b[2Jb\\n');
  });
});
