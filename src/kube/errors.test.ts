import { describe, expect, it } from 'vitest';
import { networkError, parseForbidden, statusError } from './errors.js';

const subject = { context: 'prod', server: 'https://10.1.2.3:6443', method: 'GET', path: '/api/v1/secrets' };

describe('kube error translation', () => {
  it('parses the verb, resource, group and namespace of a refusal', () => {
    const facts = parseForbidden(
      'deployments.apps is forbidden: User "system:serviceaccount:dev:ci" cannot list resource "deployments" in API group "apps" in the namespace "payments"',
    );
    expect(facts).toEqual({
      user: 'system:serviceaccount:dev:ci',
      verb: 'list',
      resource: 'deployments',
      apiGroup: 'apps',
      namespace: 'payments',
    });
  });

  it('turns 403 into a forbidden error that names what to grant', () => {
    const body = JSON.stringify({
      kind: 'Status',
      reason: 'Forbidden',
      message:
        'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" at the cluster scope',
    });
    const error = statusError(403, body, subject);
    expect(error.code).toBe('auth.forbidden');
    expect(error.message).toBe('forbidden: bob may not list secrets cluster-wide in context "prod"');
    expect(error.fix).toContain('Grant verb "list" on resource "secrets"');
    expect(error.details).toMatchObject({ verb: 'list', resource: 'secrets' });
  });

  it('turns 401 into an expired-or-invalid-credentials error', () => {
    const error = statusError(401, '{"kind":"Status","message":"Unauthorized"}', subject);
    expect(error.code).toBe('auth.unauthorized');
    expect(error.fix).toMatch(/Refresh the credentials/);
  });

  it('marks 429 and 5xx answers with their status so callers can retry', () => {
    expect(statusError(429, 'slow down', subject).details.status).toBe('429');
    expect(statusError(503, '', subject).code).toBe('cluster.unreachable');
  });

  it('tells connection refusal and TLS failure apart', () => {
    expect(networkError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), subject).code).toBe(
      'cluster.unreachable',
    );
    const tls = networkError(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), subject);
    expect(tls.code).toBe('cluster.tls');
    expect(tls.fix).toContain('certificate-authority-data');
  });
});
