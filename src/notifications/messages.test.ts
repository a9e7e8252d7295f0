import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/index.js';
import { isNotifiable, slackPayload } from './messages.js';

const event = (fields: Partial<AuditEvent>): AuditEvent => ({
  seq: 7,
  id: 'e7',
  at: '2026-11-23T04:00:00.000Z',
  actor: 'alice',
  action: 'access.approve',
  target: 'prod/payments/ClusterRole/edit',
  outcome: 'succeeded',
  details: { id: '1234567890abcdef' },
  prevHash: '0',
  hash: '1',
  ...fields,
});

describe('chat messages', () => {
  it('links a message about a request to its console page, when the console is known and the id is a request id', () => {
    const id = '5479ea7e-218c-44ca-ad08-72eee85df4c2';
    const linked = slackPayload(event({ details: { id } }), 'https://gatehouse.example/');
    expect(linked.text).toContain(`<https://gatehouse.example/access/requests/${id}|Open in Gatehouse>`);
    expect(slackPayload(event({ details: { id } })).text).not.toContain('Open in Gatehouse');
    expect(slackPayload(event({ details: { id: '../../admin' } }), 'https://g.example').text).not.toContain(
      'Open in Gatehouse',
    );
    expect(slackPayload(event({ details: { id } }), 'https://g.example/a|b').text).not.toContain('|Open');
  });

  it('escapes every value that came from outside, not only the reason', () => {
    const text = slackPayload(
      event({
        actor: 'mallory<!channel>',
        target: 'prod<!here>/pay&ments/ClusterRole/edit<@U1>',
        details: { id: '<!everyone>' },
      }),
    ).text;
    expect(text).not.toMatch(/<[!@]/);
    expect(text).toContain('mallory&lt;!channel&gt;');
    expect(text).toContain('in pay&amp;ments');
    expect(text).toContain('on prod&lt;!here&gt;');
    expect(text).toContain('edit&lt;@U1&gt;');
  });

  it('says an expiry is decided and lets the removal confirm it', () => {
    expect(slackPayload(event({ action: 'access.expire', actor: 'gatehouse' })).text).toContain(
      'ClusterRole/edit in payments on prod (request 12345678) expired; its removal from the cluster follows',
    );
    const removal = event({
      action: 'access.revoke-binding',
      actor: 'gatehouse',
      target: 'prod/payments/gatehouse-edit-1a2b',
      details: { requestIds: ['1234567890abcdef'] },
    });
    expect(isNotifiable(removal)).toBe(true);
    expect(slackPayload(removal).text).toContain('removed binding prod/payments/gatehouse-edit-1a2b');
  });

  it('tells the channel when someone changes an access flow', () => {
    const change = event({ action: 'access.flow-apply', actor: 'root', target: 'payments-oncall' });
    expect(isNotifiable(change)).toBe(true);
    expect(slackPayload(change).text).toContain('root applied access flow payments-oncall');
  });

  it('names a request that was approved but never granted, with the cause', () => {
    const text = slackPayload(
      event({
        action: 'access.fail',
        actor: 'gatehouse',
        outcome: 'failed',
        details: { id: '1234567890abcdef', error: 'forbidden: cannot bind <edit>' },
      }),
    ).text;
    expect(text).toContain('approved but could not be granted in time');
    expect(text).toContain('cannot bind &lt;edit&gt;');
  });
});
