import { describe, expect, it } from 'vitest';
import { reviewRead } from '../../test/support/review-read.js';
import { buildItems, grantLabel } from './items.js';
import { assignReviewer, parseOwners } from './reviewers.js';
import { parseLabelSelector } from './scope.js';

const labels = (scope: Parameters<typeof buildItems>[1]) =>
  buildItems(reviewRead(), scope).map(
    (item) => `${item.subject.kind} ${item.subject.name} ${grantLabel(item.grant)}`,
  );

describe('review items', () => {
  it('makes one item per subject × grant, leaving out what Kubernetes itself bound', () => {
    expect(labels({})).toEqual([
      'Group platform-admins ClusterRoleBinding admins → ClusterRole cluster-admin',
      'IamPrincipal arn:aws:iam::111122223333:role/break-glass aws-auth → break-glass (system:masters)',
      'User alice ClusterRoleBinding alice-view → ClusterRole view',
      'User carol ClusterRoleBinding admins → ClusterRole cluster-admin',
      'User dave RoleBinding dev/legacy → Role gone',
      'ServiceAccount api RoleBinding payments/api-secrets → Role secret-reader',
      'User bob RoleBinding payments/bob-edit → ClusterRole edit',
      'User olivia RoleBinding payments/olivia-edit → ClusterRole edit',
    ]);
  });

  it('carries the risks of each grant and how many others hold the same role in the same place', () => {
    const items = buildItems(reviewRead(), {});
    const carol = items.find((item) => item.subject.name === 'carol')!;
    expect(carol.severity).toBe('critical');
    expect(carol.risks.map((risk) => risk.check)).toContain('cluster-admin');
    expect(carol.holders).toBe(1);
    const bob = items.find((item) => item.subject.name === 'bob')!;
    expect(bob.holders).toBe(1);
    // Kubernetes' own binding gives view to every authenticated user: it counts as a holder.
    expect(items.find((item) => item.subject.name === 'alice')!.holders).toBe(1);
    expect(items.find((item) => item.subject.name === 'api')!.holders).toBe(0);
    const dave = items.find((item) => item.subject.name === 'dave')!;
    expect(dave.grant).toMatchObject({ type: 'binding', roleMissing: true });
    expect(dave.risks.map((risk) => risk.check)).toEqual(['missing-role']);
  });

  it('scopes by namespace label selector to the RoleBindings of matching namespaces', () => {
    expect(labels({ namespaceSelector: parseLabelSelector('env=prod') })).toEqual([
      'ServiceAccount api RoleBinding payments/api-secrets → Role secret-reader',
      'User bob RoleBinding payments/bob-edit → ClusterRole edit',
      'User olivia RoleBinding payments/olivia-edit → ClusterRole edit',
    ]);
    expect(labels({ namespaceSelector: parseLabelSelector('env notin (prod)') })).toEqual([
      'User dave RoleBinding dev/legacy → Role gone',
    ]);
  });

  it('scopes to everything equivalent to cluster-admin, IAM principals mapped to system:masters included', () => {
    expect(labels({ clusterAdminEquivalent: true })).toEqual([
      'Group platform-admins ClusterRoleBinding admins → ClusterRole cluster-admin',
      'IamPrincipal arn:aws:iam::111122223333:role/break-glass aws-auth → break-glass (system:masters)',
      'User carol ClusterRoleBinding admins → ClusterRole cluster-admin',
    ]);
  });

  it('scopes by role name and by kind of subject', () => {
    expect(labels({ roles: ['edit'], subjectKinds: ['User'] })).toHaveLength(2);
    expect(labels({ subjectKinds: ['ServiceAccount'] })).toEqual([
      'ServiceAccount api RoleBinding payments/api-secrets → Role secret-reader',
    ]);
    expect(labels({ roles: ['Role/payments/secret-reader'] })).toHaveLength(1);
  });
});

describe('reviewer rules', () => {
  const items = buildItems(reviewRead(), {});
  const owners = new Map([['payments', parseOwners('user:bob, nonsense with spaces')]]);
  const rules = {
    namespaceOwners: true,
    reviewer: 'group:security' as const,
    fallback: 'user:carol' as const,
  };
  const of = (name: string) =>
    assignReviewer(items.find((item) => item.subject.name === name)!, rules, owners);

  it('gives namespaced items to the owners the namespace annotation names', () => {
    expect(of('olivia')).toEqual({ reviewer: 'user:bob', rule: 'owners' });
  });

  it("sends an item about the reviewer's own access to the fallback", () => {
    expect(of('bob')).toEqual({ reviewer: 'user:carol', rule: 'self' });
  });

  it('gives items without owners to the named reviewer, and the fallback when none is named', () => {
    expect(of('alice')).toEqual({ reviewer: 'group:security', rule: 'named' });
    const onlyFallback = assignReviewer(items[0]!, { fallback: 'user:carol' }, owners);
    expect(onlyFallback).toEqual({ reviewer: 'user:carol', rule: 'fallback' });
  });

  it('never lets a group review its own grant', () => {
    const platform = items.find((item) => item.subject.name === 'platform-admins')!;
    expect(
      assignReviewer(platform, { reviewer: 'group:platform-admins', fallback: 'user:carol' }, owners),
    ).toEqual({
      reviewer: 'user:carol',
      rule: 'self',
    });
  });
});
