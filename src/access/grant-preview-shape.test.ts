import { describe, expect, it } from 'vitest';
import { clusterRole, role } from '../rbac/test-objects.js';
import { permissionLines, previewBinding } from './grant-preview-shape.js';

const debugger_ = clusterRole('debugger', [
  { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
  { verbs: ['watch'], apiGroups: [''], resources: ['pods'] },
  { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] },
  { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['api', 'web'] },
  { verbs: ['get'], nonResourceURLs: ['/metrics'] },
]);

describe('the permissions a grant would add, as lines an approver reads', () => {
  it('lists resource and verbs per line, merging rules on the same resource, naming the API group as kubectl does', () => {
    const { permissions } = previewBinding({
      role: debugger_,
      subject: { kind: 'User', name: 'alice' },
      namespace: 'payments',
    });
    expect(permissions).toEqual([
      { namespace: 'payments', resource: 'deployments.apps', verbs: ['get'], resourceNames: ['api', 'web'] },
      { namespace: 'payments', resource: 'pods', verbs: ['get', 'list', 'watch'], resourceNames: [] },
      { namespace: 'payments', resource: 'pods/exec', verbs: ['create'], resourceNames: [] },
      { namespace: 'payments', resource: 'pods/log', verbs: ['get', 'list'], resourceNames: [] },
    ]);
  });

  it('drops non-resource URLs from a namespaced grant (a RoleBinding cannot grant them) and keeps them cluster-wide', () => {
    const namespaced = previewBinding({
      role: debugger_,
      subject: { kind: 'User', name: 'a' },
      namespace: 'x',
    });
    expect(namespaced.permissions.map((line) => line.resource)).not.toContain('/metrics');
    const clusterWide = previewBinding({
      role: debugger_,
      subject: { kind: 'User', name: 'a' },
      namespace: undefined,
    });
    expect(clusterWide.permissions).toContainEqual({
      namespace: undefined,
      resource: '/metrics',
      verbs: ['get'],
      resourceNames: [],
    });
  });

  it('names the risky permissions with their severity and the rule that makes them risky', () => {
    const { risks } = previewBinding({
      role: debugger_,
      subject: { kind: 'ServiceAccount', namespace: 'gatehouse-access', name: 'gatehouse-1' },
      namespace: 'payments',
    });
    expect(risks).toEqual([
      {
        check: 'pod-exec',
        severity: 'medium',
        title: expect.stringContaining('run commands in or attach to containers'),
        why: 'create core/pods/exec',
      },
    ]);
  });

  it('rates a cluster-wide wildcard grant critical, and the same role in one namespace lower', () => {
    const admin = clusterRole('everything', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    const wide = previewBinding({ role: admin, subject: { kind: 'User', name: 'a' }, namespace: undefined });
    expect(wide.risks[0]).toMatchObject({ check: 'cluster-admin', severity: 'critical', why: '* */*' });
    const narrow = previewBinding({ role: admin, subject: { kind: 'User', name: 'a' }, namespace: 'team' });
    expect(narrow.risks[0]).toMatchObject({ check: 'cluster-admin', severity: 'high' });
    expect(wide.permissions).toEqual([
      { namespace: undefined, resource: '*.*', verbs: ['*'], resourceNames: [] },
    ]);
  });

  it('finds nothing risky in a read-only role', () => {
    const viewer = role('payments', 'viewer', [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] },
    ]);
    const preview = previewBinding({
      role: viewer,
      subject: { kind: 'User', name: 'a' },
      namespace: 'payments',
    });
    expect(preview.risks).toEqual([]);
    expect(preview.permissions).toHaveLength(1);
  });

  it('keeps lines with different object names apart', () => {
    const lines = permissionLines([
      {
        namespace: 'n',
        rule: { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
      },
      { namespace: 'n', rule: { verbs: ['get'], apiGroups: [''], resources: ['secrets'] } },
    ]);
    expect(lines.map((line) => line.resourceNames)).toEqual([[], ['a']]);
  });
});
