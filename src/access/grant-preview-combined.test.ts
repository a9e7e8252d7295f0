import { describe, expect, it } from 'vitest';
import type { RbacSnapshot } from '../rbac/index.js';
import { clusterRole, clusterRoleBinding, group, user } from '../rbac/test-objects.js';
import { combinedRisks } from './grant-preview-combined.js';

const csr = { apiGroups: ['certificates.k8s.io'] };
const createCsr = clusterRole('csr-creator', [
  { ...csr, verbs: ['create'], resources: ['certificatesigningrequests'] },
]);
const approver = clusterRole('csr-approver', [
  { ...csr, verbs: ['update'], resources: ['certificatesigningrequests/approval'] },
  {
    ...csr,
    verbs: ['approve'],
    resources: ['signers'],
    resourceNames: ['kubernetes.io/kube-apiserver-client'],
  },
]);
const empty: RbacSnapshot = { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] };

describe('dangerous combinations a grant completes with what is already held', () => {
  it('finds create-and-approve certificates when the requester holds create through a group and the grant adds approve', () => {
    const held: RbacSnapshot = {
      ...empty,
      clusterRoles: [createCsr],
      clusterRoleBindings: [clusterRoleBinding('creators', 'csr-creator', [group('devs')])],
    };
    const risks = combinedRisks({
      role: approver,
      subject: { kind: 'User', name: 'alice' },
      namespace: undefined,
      held,
    });
    expect(risks).toEqual([
      {
        check: 'approve-csr',
        severity: 'critical',
        title: expect.stringContaining('together with access already held'),
        why: expect.stringContaining('ClusterRoleBinding creators'),
      },
    ]);
  });

  it('reports nothing when the grant alone completes nothing new with what is held', () => {
    expect(
      combinedRisks({
        role: approver,
        subject: { kind: 'User', name: 'alice' },
        namespace: undefined,
        held: empty,
      }),
    ).toEqual([]);
  });

  it('leaves out a combination the held grants complete already, without the grant', () => {
    const both = clusterRole('both', [...createCsr.rules, ...approver.rules]);
    const held: RbacSnapshot = {
      ...empty,
      clusterRoles: [both],
      clusterRoleBindings: [clusterRoleBinding('both', 'both', [user('alice')])],
    };
    expect(
      combinedRisks({ role: approver, subject: { kind: 'User', name: 'alice' }, namespace: undefined, held }),
    ).toEqual([]);
  });
});
