import { describe, expect, it } from 'vitest';
import { diffGrants } from './diff.js';
import { associationAllows, scopeCovers } from './eks/access-policies.js';
import { parseAwsAuth } from './eks/aws-auth.js';
import { principalsMappedTo } from './eks/identity.js';
import { effectivePermissions, identityOf, parseSubjectRef } from './permissions.js';
import { RbacIndex } from './rbac-index.js';
import { findRisks } from './risks.js';
import {
  clusterRole,
  clusterRoleBinding,
  group,
  role,
  roleBinding,
  serviceAccount,
  user,
} from './test-objects.js';
import type { RbacSnapshot } from './types.js';
import { whoCan } from './who-can.js';

const exec = { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] };
const secrets = { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] };
const snapshot: RbacSnapshot = {
  clusterRoles: [
    clusterRole('admin-all', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
    clusterRole('exec', [exec]),
    clusterRole('metrics', [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]),
  ],
  roles: [role('prod', 'secret-reader', [secrets])],
  clusterRoleBindings: [
    clusterRoleBinding('admins', 'admin-all', [group('platform-admins')]),
    clusterRoleBinding('metrics', 'metrics', [group('system:authenticated')]),
  ],
  roleBindings: [
    roleBinding('prod', 'oncall-exec', { kind: 'ClusterRole', name: 'exec' }, [
      group('oncall'),
      serviceAccount('debugger'),
    ]),
    roleBinding('dev', 'dev-exec', { kind: 'ClusterRole', name: 'exec' }, [user('dan')]),
    roleBinding('prod', 'reader', { kind: 'Role', name: 'secret-reader' }, [user('sam')]),
    roleBinding('kube-system', 'ghost', { kind: 'Role', name: 'nope' }, [user('gus')]),
  ],
};
const index = new RbacIndex(snapshot);
const execIn = (namespace: string) => ({ verb: 'create', resource: 'pods', subresource: 'exec', namespace });

describe('whoCan', () => {
  it('lists every subject with its binding → role → rule path, and the superuser group', () => {
    const grants = whoCan(index, { kind: 'resource', attributes: execIn('prod') });
    const summary = grants.map(
      (grant) => `${grant.subject.kind}:${grant.subject.name} via ${grant.binding?.name ?? grant.via}`,
    );
    expect(summary.sort()).toEqual(
      [
        'Group:system:masters via superuser',
        'Group:platform-admins via admins',
        'Group:oncall via oncall-exec',
        'ServiceAccount:debugger via oncall-exec',
      ].sort(),
    );
    expect(grants.find((grant) => grant.subject.kind === 'ServiceAccount')?.subject.namespace).toBe('prod');
  });

  it('counts RoleBindings of every namespace with allNamespaces', () => {
    const grants = whoCan(index, { kind: 'resource', attributes: execIn(''), allNamespaces: true });
    expect(
      grants
        .filter((grant) => grant.binding?.kind === 'RoleBinding')
        .map((grant) => grant.namespace)
        .sort(),
    ).toEqual(['dev', 'prod', 'prod']);
  });

  it('answers non-resource URLs through ClusterRoleBindings only', () => {
    const grants = whoCan(index, { kind: 'non-resource', attributes: { verb: 'get', path: '/metrics' } });
    // admin-all has only resource rules: resources "*" never covers URLs.
    expect(grants.map((grant) => grant.subject.name).sort()).toEqual([
      'system:authenticated',
      'system:masters',
    ]);
  });
});

describe('effectivePermissions', () => {
  it('gives a service account its implicit groups and each rule with its namespace and binding', () => {
    const permissions = effectivePermissions(
      index,
      identityOf({ kind: 'serviceaccount', namespace: 'prod', name: 'debugger' }),
    );
    expect(permissions.entries.map((entry) => [entry.namespace, entry.binding, entry.through])).toEqual([
      [undefined, 'ClusterRoleBinding/metrics', 'Group system:authenticated'],
      ['prod', 'RoleBinding/prod/oncall-exec', 'ServiceAccount prod/debugger'],
    ]);
  });

  it('parses subject names and rejects unknown syntax with the accepted forms', () => {
    expect(parseSubjectRef('sa:prod/debugger')).toEqual({
      kind: 'serviceaccount',
      namespace: 'prod',
      name: 'debugger',
    });
    expect(parseSubjectRef('system:serviceaccount:prod:debugger')).toEqual({
      kind: 'serviceaccount',
      namespace: 'prod',
      name: 'debugger',
    });
    expect(parseSubjectRef('iam:arn:aws:iam::1:role/x')).toEqual({
      kind: 'iam',
      arn: 'arn:aws:iam::1:role/x',
    });
    expect(() => parseSubjectRef('bob')).toThrow(
      expect.objectContaining({
        fix: expect.stringContaining('user:NAME, group:NAME, sa:NAMESPACE/NAME or iam:ARN'),
      }),
    );
    expect(() => parseSubjectRef('sa:onlyname')).toThrow(/unknown subject/);
  });
});

describe('findRisks', () => {
  const awsAuth = parseAwsAuth({
    mapRoles: '- rolearn: arn:aws:iam::1:role/bg\n  username: bg\n  groups: [system:masters]\n',
  });
  const findings = findRisks(index, { awsAuth });
  const byCheck = (check: string) => findings.filter((finding) => finding.check === check);

  it('flags cluster-admin equivalents as critical and stops there', () => {
    expect(byCheck('cluster-admin')).toEqual([
      expect.objectContaining({
        severity: 'critical',
        subject: 'Group platform-admins',
        path: 'ClusterRoleBinding admins → ClusterRole admin-all → * */*',
      }),
    ]);
    expect(findings.filter((finding) => finding.subject === 'Group platform-admins')).toHaveLength(1);
  });

  it('grades exec and secret reading by scope', () => {
    expect(
      byCheck('pod-exec').map((finding) => [finding.subject, finding.namespace, finding.severity]),
    ).toEqual([
      ['Group oncall', 'prod', 'medium'],
      ['ServiceAccount prod/debugger', 'prod', 'medium'],
      ['User dan', 'dev', 'medium'],
    ]);
    expect(byCheck('read-secrets')[0]).toMatchObject({ subject: 'User sam', namespace: 'prod' });
  });

  it('reports grants to everyone, bindings to missing roles and system:masters mappings', () => {
    expect(byCheck('public-grant')[0]).toMatchObject({
      subject: 'Group system:authenticated',
      severity: 'medium',
    });
    expect(byCheck('missing-role')[0]).toMatchObject({ subject: 'User gus', severity: 'low' });
    expect(byCheck('system-masters-mapping')[0]).toMatchObject({
      subject: 'arn:aws:iam::1:role/bg',
      severity: 'critical',
    });
  });
});

describe('diffGrants', () => {
  it('reports effective grants added and removed', () => {
    const after = new RbacIndex({
      ...snapshot,
      roleBindings: [
        ...snapshot.roleBindings.filter((binding) => binding.metadata.name !== 'dev-exec'),
        roleBinding('prod', 'eve', { kind: 'Role', name: 'secret-reader' }, [user('eve')]),
      ],
    });
    const diff = diffGrants(index, after);
    expect(diff.added.map((grant) => `${grant.subject} ${grant.namespace} ${grant.rule}`)).toEqual([
      'User:eve prod get,list core/secrets',
    ]);
    expect(diff.removed.map((grant) => `${grant.subject} ${grant.namespace}`)).toEqual(['User:dan dev']);
  });
});

describe('EKS access policies and mappings', () => {
  const view = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
  it('applies a namespace-scoped association only in matching namespaces, with trailing wildcards', () => {
    const association = {
      policyArn: view,
      accessScope: { type: 'namespace' as const, namespaces: ['dev-*'] },
    };
    expect(scopeCovers(association, 'dev-a')).toBe(true);
    expect(
      associationAllows(association, {
        resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'dev-a' },
      }),
    ).toBe('allowed');
    expect(
      associationAllows(association, {
        resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'prod' },
      }),
    ).toBe('not-allowed');
    expect(
      associationAllows(association, {
        resourceAttributes: { verb: 'get', resource: 'secrets', namespace: 'dev-a' },
      }),
    ).toBe('not-allowed');
  });

  it('says unknown for policies whose rules AWS does not publish', () => {
    const association = {
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy',
      accessScope: { type: 'cluster' as const },
    };
    expect(associationAllows(association, { resourceAttributes: { verb: 'get', resource: 'pods' } })).toBe(
      'unknown',
    );
  });

  it('finds the IAM principals mapped to a user (templates as wildcards) or a group', () => {
    const awsAuth = parseAwsAuth({
      mapRoles:
        '- rolearn: arn:aws:iam::1:role/oncall\n  username: oncall:{{SessionName}}\n  groups: [oncall]\n',
    });
    expect(principalsMappedTo({ kind: 'Group', name: 'oncall' }, awsAuth)).toEqual([
      { arn: 'arn:aws:iam::1:role/oncall', source: 'aws-auth mapRoles[0]' },
    ]);
    expect(principalsMappedTo({ kind: 'User', name: 'oncall:jane' }, awsAuth)).toHaveLength(1);
    expect(principalsMappedTo({ kind: 'User', name: 'other' }, awsAuth)).toHaveLength(0);
  });
});
