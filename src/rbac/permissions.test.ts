import { describe, expect, it } from 'vitest';
import { effectivePermissions, identityOf } from './permissions.js';
import { RbacIndex } from './rbac-index.js';
import { clusterRole, clusterRoleBinding, group, roleBinding, serviceAccount, user } from './test-objects.js';

const read = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
// Every binding mixes users, groups and service accounts, the asked-about subject never first.
const index = new RbacIndex({
  clusterRoles: [clusterRole('reader', [read])],
  roles: [],
  clusterRoleBindings: [
    clusterRoleBinding('mixed', 'reader', [
      serviceAccount('builder', 'ci'),
      user('alice'),
      group('devs'),
      serviceAccount('deployer', 'ci'),
    ]),
  ],
  roleBindings: [
    roleBinding('prod', 'oncall', { kind: 'ClusterRole', name: 'reader' }, [
      serviceAccount('debugger'),
      group('oncall'),
      user('bob'),
      serviceAccount('api'),
    ]),
  ],
});
const through = (subject: Parameters<typeof identityOf>[0]) =>
  effectivePermissions(index, identityOf(subject)).entries.map(
    (entry) => `${entry.binding}: ${entry.through}`,
  );

describe('rbac permissions THROUGH', () => {
  it('names the user asked about, not the first ServiceAccount of the binding', () => {
    expect(through({ kind: 'user', name: 'alice' })).toEqual(['ClusterRoleBinding/mixed: User alice']);
    expect(through({ kind: 'user', name: 'bob' })).toEqual(['RoleBinding/prod/oncall: User bob']);
  });

  it('names the group asked about, never an empty ServiceAccount', () => {
    expect(through({ kind: 'group', name: 'devs' })).toEqual(['ClusterRoleBinding/mixed: Group devs']);
    expect(through({ kind: 'group', name: 'oncall' })).toEqual(['RoleBinding/prod/oncall: Group oncall']);
  });

  it('names the service account asked about, its namespace defaulted from the RoleBinding', () => {
    expect(through({ kind: 'serviceaccount', namespace: 'ci', name: 'deployer' })).toEqual([
      'ClusterRoleBinding/mixed: ServiceAccount ci/deployer',
    ]);
    expect(through({ kind: 'serviceaccount', namespace: 'prod', name: 'api' })).toEqual([
      'RoleBinding/prod/oncall: ServiceAccount prod/api',
    ]);
  });

  it('lists every subject of one binding that the identity matches', () => {
    const permissions = effectivePermissions(index, { user: 'alice', groups: ['devs'] });
    expect(permissions.entries.map((entry) => entry.through)).toEqual(['User alice, Group devs']);
  });
});
