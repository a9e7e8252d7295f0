import { describe, expect, it } from 'vitest';
import type { AccessDetails } from '../access/index.js';
import { accessDetailsText } from './access-details-text.js';

const details: AccessDetails = {
  status: 'ready',
  requestId: '1a2b3c4d-0000-4000-8000-00000000abcd',
  mode: 'aws-auth',
  cluster: 'dev\u001b[2J',
  namespace: undefined,
  access: 'ClusterRole/view cluster-wide',
  expiresAt: '2026-12-01T05:01:00.000Z',
  steps: [
    { kind: 'note', text: 'note with a bell \u0007' },
    { kind: 'commands', text: 'Run:', commands: ['kubectl auth whoami', 'kubectl auth can-i --list'] },
    { kind: 'file', text: 'Add:', path: '~/.aws/config', content: '[profile p]\nregion = eu-west-1\n' },
    { kind: 'download-credential', text: 'Download:', command: 'gatehouse access credential X' },
  ],
};

describe('the access details section of gatehouse access show', () => {
  it('numbers the steps and indents commands and file lines under them', () => {
    expect(accessDetailsText(details).split('\n')).toEqual([
      '',
      'How to use it (aws-auth mode, ClusterRole/view cluster-wide of dev?[2J, until 2026-12-01T05:01:00.000Z):',
      '  1. note with a bell ?',
      '  2. Run:',
      '       $ kubectl auth whoami',
      '       $ kubectl auth can-i --list',
      '  3. Add:',
      '       (~/.aws/config)',
      '       [profile p]',
      '       region = eu-west-1',
      '  4. Download:',
      '       $ gatehouse access credential X',
      '',
    ]);
  });

  it('prints only the reason when there is nothing to use', () => {
    expect(
      accessDetailsText({ status: 'not-active', requestId: 'x', state: 'pending', message: 'waits\u001b' }),
    ).toBe('\nwaits?\n');
  });
});
