import { describe, expect, it } from 'vitest';
import { withFlags } from './apiserver-flags.js';

describe('apiserver flags of a running test cluster', () => {
  it('adds missing flags and replaces an older value, leaving the others in place', () => {
    const args = ['--secure-port=32764', '--audit-log-maxsize=10', '--authorization-mode=Node,RBAC'];
    expect(
      withFlags(args, [
        { key: 'audit-log-maxsize', value: '50' },
        { key: 'audit-log-path', value: '/x/audit.log' },
      ]),
    ).toEqual([
      '--secure-port=32764',
      '--authorization-mode=Node,RBAC',
      '--audit-log-maxsize=50',
      '--audit-log-path=/x/audit.log',
    ]);
  });

  it('changes nothing when every flag already has its value, so the apiserver is not restarted', () => {
    const args = ['--secure-port=32764', '--audit-log-path=/x/audit.log', '--v=2'];
    expect(withFlags(args, [{ key: 'audit-log-path', value: '/x/audit.log' }])).toEqual(args);
  });
});
