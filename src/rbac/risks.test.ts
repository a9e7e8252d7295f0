import { describe, expect, it } from 'vitest';
import { RbacIndex } from './rbac-index.js';
import { checks } from './risk-checks/index.js';
import { severityFor, severityRank } from './risk-match.js';
import { findRisks } from './risks.js';
import { clusterRole, clusterRoleBinding, roleBinding, user } from './test-objects.js';
import type { PolicyRule, Subject } from './types.js';

interface Grant {
  readonly rules: PolicyRule[];
  /** A RoleBinding in this namespace; a ClusterRoleBinding when absent. */
  readonly namespace?: string;
  readonly subject?: Subject;
}

/** Each grant is a ClusterRole bound to mallory (or the given subject) cluster-wide or in a namespace. */
function risks(...grants: Grant[]) {
  const clusterRoles = grants.map((grant, n) => clusterRole(`role-${n}`, grant.rules));
  const subject = (grant: Grant) => grant.subject ?? user('mallory');
  return findRisks(
    new RbacIndex({
      clusterRoles,
      roles: [],
      clusterRoleBindings: grants.flatMap((grant, n) =>
        grant.namespace ? [] : [clusterRoleBinding(`binding-${n}`, `role-${n}`, [subject(grant)])],
      ),
      roleBindings: grants.flatMap((grant, n) =>
        grant.namespace
          ? [
              roleBinding(grant.namespace, `binding-${n}`, { kind: 'ClusterRole', name: `role-${n}` }, [
                subject(grant),
              ]),
            ]
          : [],
      ),
    }),
  );
}
const summary = (...grants: Grant[]) =>
  risks(...grants).map((found) => `${found.check} ${found.severity} ${found.namespace ?? 'cluster'}`);
const rule = (
  verbs: string[],
  apiGroup: string,
  resources: string[],
  resourceNames?: string[],
): PolicyRule => ({
  verbs,
  apiGroups: [apiGroup],
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const rbacGroup = 'rbac.authorization.k8s.io';

describe('risky access: rules limited by resourceNames', () => {
  it('flags binding only cluster-admin and impersonating only system:masters at full severity', () => {
    expect(summary({ rules: [rule(['bind'], rbacGroup, ['clusterroles'], ['cluster-admin'])] })).toEqual([
      'bind critical cluster',
    ]);
    expect(summary({ rules: [rule(['impersonate'], '', ['groups'], ['system:masters'])] })).toEqual([
      'impersonate critical cluster',
    ]);
    const [aws] = risks({
      namespace: 'kube-system',
      rules: [rule(['patch'], '', ['configmaps'], ['aws-auth'])],
    });
    expect(aws).toMatchObject({ check: 'edit-aws-auth', severity: 'critical' });
    // One role bound in several namespaces: aws-auth only through kube-system and cluster-wide.
    const shared = clusterRole('cm-writer', [rule(['patch'], '', ['configmaps'], ['aws-auth'])]);
    const bindIn = (namespace: string) =>
      roleBinding(namespace, 'cm', { kind: 'ClusterRole', name: 'cm-writer' }, [user(namespace)]);
    const found = findRisks(
      new RbacIndex({
        clusterRoles: [shared],
        roles: [],
        clusterRoleBindings: [clusterRoleBinding('cm', 'cm-writer', [user('everywhere')])],
        roleBindings: [bindIn('dev'), bindIn('kube-system'), bindIn('prod')],
      }),
    );
    expect(found.map((one) => `${one.subject} ${one.namespace ?? 'cluster'}`)).toEqual([
      'User everywhere cluster',
      'User kube-system kube-system',
    ]);
  });

  it('flags other names one step lower and says so, but never a named create (it carries no name)', () => {
    const [named] = risks({ rules: [rule(['impersonate'], '', ['users'], ['jane'])] });
    expect(named).toMatchObject({
      check: 'impersonate',
      severity: 'high',
      title: expect.stringContaining('limited to the named objects'),
      path: 'ClusterRoleBinding binding-0 → ClusterRole role-0 → impersonate core/users [jane]',
    });
    expect(summary({ namespace: 'dev', rules: [rule(['create'], '', ['pods'], ['x'])] })).toEqual([]);
    expect(
      summary({ namespace: 'kube-system', rules: [rule(['update'], '', ['configmaps'], ['other'])] }),
    ).toEqual([]);
  });
});

describe('risky access: workloads', () => {
  it('treats update/patch of pods and pod templates as creating the workload, replicationcontrollers included', () => {
    for (const [group, resource] of [
      ['apps', 'deployments'],
      ['apps', 'daemonsets'],
      ['apps', 'statefulsets'],
      ['apps', 'replicasets'],
      ['batch', 'cronjobs'],
      ['', 'replicationcontrollers'],
      ['', 'pods'],
    ] as const) {
      expect(summary({ namespace: 'kube-system', rules: [rule(['patch'], group, [resource])] })).toEqual([
        'modify-workloads critical kube-system',
      ]);
    }
    expect(summary({ namespace: 'dev', rules: [rule(['create'], '', ['replicationcontrollers'])] })).toEqual([
      'create-workloads medium dev',
    ]);
    // A Job's pod template cannot be changed after creation.
    expect(summary({ namespace: 'dev', rules: [rule(['update'], 'batch', ['jobs'])] })).toEqual([]);
  });

  it('flags writing secrets, critical in kube-system and cluster-wide, low elsewhere', () => {
    const write = [rule(['create', 'update'], '', ['secrets'])];
    expect(summary({ namespace: 'kube-system', rules: write })).toEqual([
      'write-secrets critical kube-system',
    ]);
    expect(summary({ rules: write })).toEqual(['write-secrets critical cluster']);
    expect(summary({ namespace: 'dev', rules: write })).toEqual(['write-secrets low dev']);
  });

  it('flags adding ephemeral containers to running pods', () => {
    expect(summary({ namespace: 'dev', rules: [rule(['patch'], '', ['pods/ephemeralcontainers'])] })).toEqual(
      ['ephemeral-containers medium dev'],
    );
  });
});

describe('risky access: cluster machinery', () => {
  it('flags creating and approving client certificates across bindings, only with the kube-apiserver signer', () => {
    const create = rule(['create', 'get'], 'certificates.k8s.io', ['certificatesigningrequests']);
    const approve = rule(['update'], 'certificates.k8s.io', ['certificatesigningrequests/approval']);
    const signer = (name: string) => rule(['approve'], 'certificates.k8s.io', ['signers'], [name]);
    const found = risks({ rules: [create] }, { rules: [approve, signer('kubernetes.io/*')] });
    expect(found).toEqual([
      expect.objectContaining({
        check: 'approve-csr',
        severity: 'critical',
        subject: 'User mallory',
        path:
          'ClusterRoleBinding binding-0 → ClusterRole role-0 → create,get certificates.k8s.io/certificatesigningrequests' +
          ' + ClusterRoleBinding binding-1 → ClusterRole role-1 → update certificates.k8s.io/certificatesigningrequests/approval' +
          ' + ClusterRoleBinding binding-1 → ClusterRole role-1 → approve certificates.k8s.io/signers [kubernetes.io/*]',
      }),
    ]);
    expect(summary({ rules: [create, approve, signer('example.com/internal')] })).toEqual([]);
    expect(summary({ rules: [approve, signer('kubernetes.io/kube-apiserver-client')] })).toEqual([]);
    // CSRs are cluster-scoped: a RoleBinding grants none of it.
    expect(summary({ namespace: 'dev', rules: [create, approve, signer('kubernetes.io/*')] })).toEqual([]);
  });

  it('flags writing admission webhooks cluster-wide, and nothing through a RoleBinding', () => {
    const webhooks = rule(['create'], 'admissionregistration.k8s.io', ['mutatingwebhookconfigurations']);
    expect(summary({ rules: [webhooks] })).toEqual(['admission-webhooks high cluster']);
    expect(
      summary({
        rules: [rule(['patch'], 'admissionregistration.k8s.io', ['validatingwebhookconfigurations'])],
      }),
    ).toEqual(['admission-webhooks high cluster']);
    expect(summary({ namespace: 'dev', rules: [webhooks] })).toEqual([]);
  });

  it('flags creating PersistentVolumes (hostPath)', () => {
    expect(summary({ rules: [rule(['create'], '', ['persistentvolumes'])] })).toEqual([
      'create-persistentvolumes high cluster',
    ]);
  });

  it('flags patching namespaces, the own namespace through a RoleBinding', () => {
    expect(summary({ namespace: 'dev', rules: [rule(['patch'], '', ['namespaces'])] })).toEqual([
      'patch-namespaces medium dev',
    ]);
    expect(summary({ rules: [rule(['update'], '', ['namespaces'])] })).toEqual([
      'patch-namespaces high cluster',
    ]);
    expect(
      summary({ rules: [rule(['get', 'list', 'watch'], '', ['namespaces', 'pods', 'configmaps'])] }),
    ).toEqual([]);
  });

  it('flags setting services/status (CVE-2020-8554)', () => {
    expect(summary({ namespace: 'dev', rules: [rule(['patch'], '', ['services/status'])] })).toEqual([
      'service-status medium dev',
    ]);
  });

  it('flags removing kube-system pods together with patching nodes (stealing pods), not removal alone', () => {
    const deletePods = rule(['delete'], '', ['pods']);
    const patchNodes = rule(['patch'], '', ['nodes']);
    expect(summary({ namespace: 'kube-system', rules: [deletePods] }, { rules: [patchNodes] })).toEqual([
      'steal-pods high cluster',
    ]);
    // Patching nodes alone also removes pods (a NoExecute taint) and cordons the rest.
    expect(summary({ rules: [patchNodes] })).toEqual(['steal-pods high cluster']);
    expect(summary({ namespace: 'kube-system', rules: [deletePods] })).toEqual([]);
    expect(
      summary({ rules: [rule(['create'], '', ['pods/eviction']), rule(['get', 'list'], '', ['nodes'])] }),
    ).toEqual([]);
  });

  it('ranks nodes/proxy critical cluster-wide and reports nothing through a RoleBinding (nodes are cluster-scoped)', () => {
    expect(summary({ rules: [rule(['get'], '', ['nodes/proxy'])] })).toEqual([
      'nodes-proxy critical cluster',
    ]);
    expect(summary({ namespace: 'dev', rules: [rule(['get'], '', ['nodes/proxy'])] })).toEqual([]);
  });

  it('flags impersonating user extras and UIDs, and rewriting pod or node status', () => {
    expect(
      summary({ rules: [rule(['impersonate'], 'authentication.k8s.io', ['userextras/scopes'])] }),
    ).toEqual(['impersonate-extras medium cluster']);
    expect(summary({ rules: [rule(['patch'], '', ['nodes/status'])] })).toEqual(['node-status low cluster']);
    expect(summary({ namespace: 'dev', rules: [rule(['update'], '', ['pods/status'])] })).toEqual([
      'pod-status low dev',
    ]);
  });

  it('flags writing role bindings and deleting every resource', () => {
    expect(
      summary({ namespace: 'dev', rules: [rule(['get', 'patch'], rbacGroup, ['rolebindings'])] }),
    ).toEqual(['write-bindings low dev']);
    // The wildcard rule itself is reported only when nothing more precise matched.
    expect(summary({ rules: [rule(['delete'], '', ['*'])] })).toEqual(['delete-all medium cluster']);
    expect(summary({ namespace: 'dev', rules: [rule(['deletecollection'], 'apps', ['*'])] })).toEqual([
      'delete-all low dev',
    ]);
  });
});

describe('risky access: severities', () => {
  it('never ranks a cluster-wide grant below the same grant in kube-system', () => {
    for (const check of checks) {
      if (check.kind === 'combination') continue;
      const cluster = severityRank[severityFor(check.severity, undefined, 'all')];
      const kubeSystem = severityRank[severityFor(check.severity, 'kube-system', 'all')];
      expect(cluster, check.id).toBeLessThanOrEqual(kubeSystem);
    }
    const exec = rule(['create'], '', ['pods/exec']);
    expect(summary({ rules: [exec] }, { namespace: 'kube-system', rules: [exec] })).toEqual([
      'pod-exec critical cluster',
      'pod-exec critical kube-system',
    ]);
  });
});
