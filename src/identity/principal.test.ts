import { describe, expect, it } from 'vitest';
import { hasRole, localPrincipal, type Principal, requireRole } from './principal.js';

const token = (roles: Principal['roles']): Principal => ({
  subject: 'alice',
  groups: ['sre'],
  roles,
  authenticatedBy: { kind: 'api-token', tokenId: 't1' },
});

describe('a principal and its platform roles', () => {
  it('gives an admin every role, and anyone else only the roles they hold', () => {
    expect(hasRole(token(['admin']), 'auditor')).toBe(true);
    expect(hasRole(token(['admin']), 'responder')).toBe(true);
    expect(hasRole(token(['auditor']), 'auditor')).toBe(true);
    expect(hasRole(token(['auditor']), 'admin')).toBe(false);
    expect(hasRole(token([]), 'responder')).toBe(false);
  });

  it('refuses a missing role with what was tried and how a token holder gets it', () => {
    expect(() => requireRole(token([]), 'admin', 'change access flows')).toThrow(
      expect.objectContaining({
        code: 'auth.forbidden',
        message: 'alice may not change access flows',
        fix: 'Use a token created with gatehouse tokens create --admin',
      }),
    );
    expect(() => requireRole(token(['auditor']), 'auditor', 'read the audit log')).not.toThrow();
  });

  it('names whoever runs the CLI local:USER, as admin, unless a name is given', () => {
    const local = localPrincipal();
    expect(local.subject).toMatch(/^local:.+/);
    expect(local.authenticatedBy).toEqual({ kind: 'local' });
    expect(hasRole(local, 'admin')).toBe(true);
    expect(localPrincipal({ subject: 'e2e-responder', groups: ['ir'] })).toMatchObject({
      subject: 'e2e-responder',
      groups: ['ir'],
    });
  });
});
