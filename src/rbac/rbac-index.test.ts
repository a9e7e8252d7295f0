import { describe, expect, it } from 'vitest';
import { RbacIndex } from './rbac-index.js';
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

const podReader = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
const snapshot = (parts: Partial<RbacSnapshot>): RbacSnapshot => ({
  roles: [],
  clusterRoles: [],
  roleBindings: [],
  clusterRoleBindings: [],
  ...parts,
});
const getPods = (namespace?: string) => ({
  verb: 'get',
  resource: 'pods',
  ...(namespace ? { namespace } : {}),
});

describe('RbacIndex.authorize', () => {
  it('applies ClusterRoleBindings in every namespace and cluster-wide', () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        clusterRoleBindings: [clusterRoleBinding('b', 'reader', [user('ann')])],
      }),
    );
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('x') }).allowed).toBe(true);
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods() }).allowed).toBe(true);
    expect(index.authorize({ user: 'bob', resourceAttributes: getPods('x') }).allowed).toBe(false);
  });

  it("applies a RoleBinding to a ClusterRole only in the binding's namespace", () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        roleBindings: [roleBinding('dev', 'b', { kind: 'ClusterRole', name: 'reader' }, [user('ann')])],
      }),
    );
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('dev') }).allowed).toBe(true);
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('prod') }).allowed).toBe(false);
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods() }).allowed).toBe(false);
  });

  it("resolves a RoleBinding's Role in the binding's own namespace", () => {
    const index = new RbacIndex(
      snapshot({
        roles: [role('prod', 'reader', [podReader])],
        roleBindings: [roleBinding('dev', 'b', { kind: 'Role', name: 'reader' }, [user('ann')])],
      }),
    );
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('dev') }).allowed).toBe(false);
    expect(index.problems.map((problem) => problem.kind)).toEqual(['missing-role']);
  });

  it('matches groups, and never adds groups the spec did not give', () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        clusterRoleBindings: [clusterRoleBinding('b', 'reader', [group('system:authenticated')])],
      }),
    );
    expect(
      index.authorize({ user: 'ann', groups: ['system:authenticated'], resourceAttributes: getPods('x') })
        .allowed,
    ).toBe(true);
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('x') }).allowed).toBe(false);
  });

  it("defaults a ServiceAccount subject's namespace to its RoleBinding's", () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        roleBindings: [
          roleBinding('dev', 'b', { kind: 'ClusterRole', name: 'reader' }, [serviceAccount('ci')]),
        ],
      }),
    );
    expect(
      index.authorize({ user: 'system:serviceaccount:dev:ci', resourceAttributes: getPods('dev') }).allowed,
    ).toBe(true);
    expect(
      index.authorize({ user: 'system:serviceaccount:other:ci', resourceAttributes: getPods('dev') }).allowed,
    ).toBe(false);
  });

  it('lets a ServiceAccount subject without namespace in a ClusterRoleBinding match nobody', () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        clusterRoleBindings: [clusterRoleBinding('b', 'reader', [serviceAccount('ci')])],
      }),
    );
    expect(
      index.authorize({ user: 'system:serviceaccount:default:ci', resourceAttributes: getPods('default') })
        .allowed,
    ).toBe(false);
    expect(index.problems.map((problem) => problem.kind)).toEqual(['service-account-without-namespace']);
  });

  it('lets a ServiceAccount subject in another namespace be bound by a RoleBinding', () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        roleBindings: [
          roleBinding('dev', 'b', { kind: 'ClusterRole', name: 'reader' }, [serviceAccount('ci', 'tools')]),
        ],
      }),
    );
    expect(
      index.authorize({ user: 'system:serviceaccount:tools:ci', resourceAttributes: getPods('dev') }).allowed,
    ).toBe(true);
    expect(
      index.authorize({ user: 'system:serviceaccount:tools:ci', resourceAttributes: getPods('tools') })
        .allowed,
    ).toBe(false);
  });

  it('grants nothing through a binding to a missing role', () => {
    const index = new RbacIndex(
      snapshot({ clusterRoleBindings: [clusterRoleBinding('b', 'ghost', [user('ann')])] }),
    );
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('x') }).allowed).toBe(false);
    expect(index.problems[0]?.message).toContain('ClusterRole "ghost", which does not exist');
  });

  it('allows everything to system:masters with no bindings at all', () => {
    const index = new RbacIndex(snapshot({}));
    expect(
      index.authorize({
        user: 'x',
        groups: ['system:masters'],
        resourceAttributes: { verb: 'delete', resource: 'nodes' },
      }).allowed,
    ).toBe(true);
    expect(
      index.authorize({
        user: 'x',
        groups: ['system:masters'],
        nonResourceAttributes: { verb: 'get', path: '/x' },
      }).allowed,
    ).toBe(true);
  });

  it('grants nonResourceURLs only through ClusterRoleBindings', () => {
    const metrics = clusterRole('metrics', [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
    const viaRoleBinding = new RbacIndex(
      snapshot({
        clusterRoles: [metrics],
        roleBindings: [roleBinding('dev', 'b', { kind: 'ClusterRole', name: 'metrics' }, [user('ann')])],
      }),
    );
    expect(
      viaRoleBinding.authorize({ user: 'ann', nonResourceAttributes: { verb: 'get', path: '/metrics' } })
        .allowed,
    ).toBe(false);
    const viaClusterRoleBinding = new RbacIndex(
      snapshot({
        clusterRoles: [metrics],
        clusterRoleBindings: [clusterRoleBinding('b', 'metrics', [user('ann')])],
      }),
    );
    expect(
      viaClusterRoleBinding.authorize({
        user: 'ann',
        nonResourceAttributes: { verb: 'get', path: '/metrics' },
      }).allowed,
    ).toBe(true);
  });

  it('names the granting binding and role in the reason', () => {
    const index = new RbacIndex(
      snapshot({
        clusterRoles: [clusterRole('reader', [podReader])],
        clusterRoleBindings: [clusterRoleBinding('readers', 'reader', [user('ann')])],
      }),
    );
    expect(index.authorize({ user: 'ann', resourceAttributes: getPods('x') }).reason).toBe(
      'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "reader"',
    );
  });
});
