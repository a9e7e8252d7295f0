import { describe, expect, it } from 'vitest';
import { parseAuditLine } from './audit-event.js';
import { auditEvent, auditLine } from './test-events.js';

describe('reading one audit log line', () => {
  it('reads who did what to which object, and when', () => {
    const outcome = parseAuditLine(
      auditLine({
        user: 'alice',
        verb: 'get',
        resource: 'pods',
        name: 'web-1',
        at: '2026-11-20T10:00:00.5Z',
      }),
    );
    expect(outcome).toEqual({
      kind: 'use',
      use: {
        at: Date.parse('2026-11-20T10:00:00.5Z'),
        identity: { username: 'alice', groups: ['devs', 'system:authenticated'] },
        permission: {
          verb: 'get',
          apiGroup: '',
          resource: 'pods',
          subresource: '',
          namespace: 'dev',
          name: 'web-1',
          nonResourceUrl: '',
        },
      },
    });
  });

  it('counts a request once: only its ResponseComplete event is a use', () => {
    expect(parseAuditLine(auditLine({ stage: 'RequestReceived' }))).toMatchObject({
      kind: 'skipped',
      reason: 'stage',
    });
    expect(parseAuditLine(auditLine({ stage: 'ResponseStarted' }))).toMatchObject({
      kind: 'skipped',
      reason: 'stage',
    });
    expect(parseAuditLine(auditLine({ stage: 'ResponseComplete' })).kind).toBe('use');
  });

  it('keeps only allowed requests: the authorizer decision first, else a status below 400', () => {
    expect(parseAuditLine(auditLine({ decision: 'forbid', code: 403 }))).toMatchObject({ reason: 'denied' });
    // Allowed, even though the object was not found.
    expect(parseAuditLine(auditLine({ decision: 'allow', code: 404 })).kind).toBe('use');
    expect(parseAuditLine(auditLine({ decision: null, code: 201 })).kind).toBe('use');
    expect(parseAuditLine(auditLine({ decision: null, code: 401 }))).toMatchObject({ reason: 'denied' });
    const noStatus = { ...auditEvent({ decision: null }), responseStatus: undefined };
    expect(parseAuditLine(JSON.stringify(noStatus))).toMatchObject({ reason: 'undecided' });
  });

  it('records an impersonated request for the impersonated user, and the impersonator as its caller', () => {
    const outcome = parseAuditLine(
      auditLine({
        user: 'kwok-admin',
        groups: ['system:masters'],
        impersonate: { user: 'bob', groups: ['qa'] },
      }),
    );
    expect(outcome).toMatchObject({
      kind: 'use',
      use: { identity: { username: 'bob', groups: ['qa'] }, impersonator: { username: 'kwok-admin' } },
    });
  });

  it('keeps the canonical IAM role of an EKS session ARN', () => {
    const outcome = parseAuditLine(
      auditLine({
        user: 'arn:aws:sts::111122223333:assumed-role/Admin/jane',
        extra: { arn: ['arn:aws:sts::111122223333:assumed-role/Admin/jane'], sessionName: ['jane'] },
      }),
    );
    expect(outcome).toMatchObject({ use: { identity: { iamArn: 'arn:aws:iam::111122223333:role/Admin' } } });
  });

  it('reads non-resource requests by their path, without the query', () => {
    expect(parseAuditLine(auditLine({ path: '/version?timeout=32s', verb: 'get' }))).toMatchObject({
      use: { permission: { nonResourceUrl: '/version', resource: '' } },
    });
  });

  it('drops the name of a plain create, which the authorizer never sees, but keeps it on a subresource', () => {
    expect(parseAuditLine(auditLine({ verb: 'create', name: 'web-2' }))).toMatchObject({
      use: { permission: { name: '' } },
    });
    expect(parseAuditLine(auditLine({ verb: 'create', name: 'web-2', subresource: 'exec' }))).toMatchObject({
      use: { permission: { name: 'web-2', subresource: 'exec' } },
    });
  });

  it('unwraps exports that carry the event as a string (AKS properties.log, Fluent Bit log, CloudWatch message)', () => {
    const line = auditLine({ user: 'carol' });
    for (const wrapped of [{ properties: { log: line } }, { log: line }, { message: line }]) {
      expect(parseAuditLine(JSON.stringify(wrapped))).toMatchObject({
        use: { identity: { username: 'carol' } },
      });
    }
    expect(parseAuditLine(`2026-11-20T10:00:00.000Z ${line}`)).toMatchObject({ kind: 'use' });
  });

  it('says why a hostile line is malformed instead of throwing', () => {
    const hostile = [
      '',
      'not json',
      '{"kind":',
      'null',
      '[]',
      '"Event"',
      '{"kind":"Pod","apiVersion":"v1"}',
      '{"__proto__":{"kind":"Event"}}',
      JSON.stringify({ ...auditEvent(), user: 'alice' }),
      JSON.stringify({ ...auditEvent(), user: { username: 42 } }),
      JSON.stringify({ ...auditEvent(), user: { username: 'a\u0000b' } }),
      JSON.stringify({ ...auditEvent(), user: { username: 'x'.repeat(5000) } }),
      JSON.stringify({ ...auditEvent(), user: { username: 'a', groups: Array(1000).fill('g') } }),
      JSON.stringify({ ...auditEvent(), objectRef: { resource: ['pods'] } }),
      JSON.stringify({ ...auditEvent(), requestReceivedTimestamp: 'yesterday', stageTimestamp: undefined }),
      JSON.stringify({ ...auditEvent(), requestReceivedTimestamp: '+275760-09-13T00:00:00.000Z' }),
      JSON.stringify({ log: '{not json' }),
      JSON.stringify({ message: 12 }),
      '{"a":'.repeat(10_000),
    ];
    for (const line of hostile) {
      const outcome = parseAuditLine(line);
      expect(outcome.kind, line.slice(0, 80)).toBe('malformed');
      if (outcome.kind === 'malformed') expect(outcome.reason.length).toBeGreaterThan(3);
    }
  });
});
