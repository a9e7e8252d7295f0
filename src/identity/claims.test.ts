import { describe, expect, it } from 'vitest';
import { clusterClaimMapping } from '../../testcluster/oidc/index.js';
import { identityFromClaims } from './claims.js';

const settings = {
  ...clusterClaimMapping,
  roles: { admin: ['oidc:gatehouse-admins'], auditor: ['oidc:auditors'], responder: ['oidc:responders'] },
};

describe('mapping ID-token claims to a person', () => {
  it('prefixes the user and groups exactly as the test cluster does, and gives roles by group', () => {
    expect(identityFromClaims({ sub: 'carol', groups: ['gatehouse-admins', 'devs'] }, settings)).toEqual({
      subject: 'oidc:carol',
      groups: ['oidc:gatehouse-admins', 'oidc:devs'],
      roles: ['admin'],
    });
    expect(identityFromClaims({ sub: 'dave', groups: ['auditors', 'responders'] }, settings).roles).toEqual([
      'auditor',
      'responder',
    ]);
    expect(identityFromClaims({ sub: 'alice', groups: ['devs'] }, settings).roles).toEqual([]);
  });

  it('matches role groups by their prefixed names only, so an unprefixed IdP name gives no role', () => {
    const raw = { ...settings, roles: { admin: ['gatehouse-admins'], auditor: [], responder: [] } };
    expect(identityFromClaims({ sub: 'carol', groups: ['gatehouse-admins'] }, raw).roles).toEqual([]);
  });

  it('reads the configured claims, a single group given as a string, and no groups at all', () => {
    const byEmail = {
      ...settings,
      usernameClaim: 'email',
      usernamePrefix: '',
      groupsClaim: 'roles',
      groupsPrefix: 'idp:',
    };
    expect(identityFromClaims({ sub: 'x', email: 'eve@example.test', roles: 'ops' }, byEmail)).toMatchObject({
      subject: 'eve@example.test',
      groups: ['idp:ops'],
    });
    expect(identityFromClaims({ sub: 'bob' }, settings).groups).toEqual([]);
  });

  it('refuses a missing username, control characters and malformed groups, naming the setting', () => {
    expect(() => identityFromClaims({ groups: [] }, settings)).toThrow(/"sub" claim is missing/);
    expect(() => identityFromClaims({ sub: 'eve\nadmin' }, settings)).toThrow(/not a usable name/);
    expect(() => identityFromClaims({ sub: 'eve', groups: [1] }, settings)).toThrow(
      /"groups" claim is not a list/,
    );
    expect(() => identityFromClaims({ sub: 'eve', groups: ['a\u0000'] }, settings)).toThrow(/groups/);
  });
});
