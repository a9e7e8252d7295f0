import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rbac-cli-'));
writeFileSync(
  join(dir, 'rbac.yaml'),
  `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: exec}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
kind: RoleBinding
metadata: {name: oncall, namespace: prod}
roleRef: {kind: ClusterRole, name: exec}
subjects: [{kind: Group, name: oncall}, {kind: ServiceAccount, name: debugger}]
---
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/OnCall
      username: oncall:{{SessionName}}
      groups: [oncall]
---
apiVersion: gatehouse.dev/v1alpha1
kind: EksAccessConfig
authenticationMode: API_AND_CONFIG_MAP
accessEntries:
  - principalArn: arn:aws:iam::111122223333:role/Viewer
    type: STANDARD
    kubernetesGroups: []
    associatedAccessPolicies:
      - policyArn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
        accessScope: {type: namespace, namespaces: [prod-*]}
`,
);
const env = { GATEHOUSE_HOME: join(dir, 'home') };
const rbac = (...args: string[]) => cli(['rbac', ...args, '-f', dir], env);

describe('gatehouse rbac on manifests (-f)', () => {
  it('answers can-i with exit 0 for yes and 1 for no, with service-account impersonation groups', async () => {
    const yes = await rbac(
      'can-i',
      'create',
      'pods',
      '--subresource',
      'exec',
      '-n',
      'prod',
      '--as',
      'system:serviceaccount:prod:debugger',
    );
    expect([yes.code, yes.stdout]).toEqual([
      0,
      'yes (RBAC: allowed by RoleBinding "prod/oncall" of ClusterRole "exec")\n',
    ]);
    const no = await rbac(
      'can-i',
      'create',
      'pods',
      '--subresource',
      'exec',
      '-n',
      'dev',
      '--as',
      'system:serviceaccount:prod:debugger',
    );
    expect([no.code, no.stdout]).toEqual([1, 'no\n']);
  });

  it('hints that pods/exec names a pod, as in kubectl', async () => {
    const run = await rbac('can-i', 'create', 'pods/exec', '-n', 'prod', '--as', 'x');
    expect(run.stderr).toContain(
      'pods/exec names a pod called "exec"; for the subresource write `pods --subresource exec`',
    );
  });

  it('answers a batch line by line and reports malformed lines in place', async () => {
    const batch = join(dir, 'batch.jsonl');
    writeFileSync(
      batch,
      [
        JSON.stringify({
          user: 'u',
          groups: ['oncall'],
          resourceAttributes: { namespace: 'prod', verb: 'create', resource: 'pods', subresource: 'exec' },
        }),
        '{not json',
        JSON.stringify({ user: 'u', resourceAttributes: { verb: 'get' } }),
        JSON.stringify({
          user: 'u',
          groups: ['system:masters'],
          nonResourceAttributes: { path: '/x', verb: 'get' },
        }),
      ].join('\n'),
    );
    const answers = (await rbac('can-i', '--batch', batch)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers.map((answer) => answer.allowed)).toEqual([true, false, false, true]);
    expect(answers[1].error).toMatch(/^line 2: /);
    expect(answers[2].error).toBe('line 3: resourceAttributes need a "resource"');
  });

  it('lists who can, with the IAM principals mapped onto a group and EKS access-policy grants', async () => {
    const run = await rbac('who-can', 'create', 'pods', '--subresource', 'exec', '-n', 'prod', '-o', 'json');
    const grants = JSON.parse(run.stdout).grants as {
      subject: { kind: string; name: string };
      iamPrincipals: string[];
    }[];
    expect(grants.find((grant) => grant.subject.name === 'oncall')?.iamPrincipals).toEqual([
      'arn:aws:iam::111122223333:role/OnCall',
    ]);
    const view = JSON.parse((await rbac('who-can', 'list', 'pods', '-n', 'prod-eu', '-o', 'json')).stdout)
      .grants as { subject: { kind: string; name: string }; role: { name: string } }[];
    expect(view.find((grant) => grant.subject.kind === 'IAM')).toMatchObject({
      subject: { name: 'arn:aws:iam::111122223333:role/Viewer' },
      role: { name: 'AmazonEKSViewPolicy' },
    });
  });

  it('gives an access-entry principal its policy rules in the scoped namespaces', async () => {
    const run = await rbac(
      'permissions',
      'iam:arn:aws:sts::111122223333:assumed-role/Viewer/ann',
      '-o',
      'json',
    );
    const result = JSON.parse(run.stdout);
    expect(result.mapping).toMatchObject({
      source: 'access entry',
      username: 'arn:aws:sts::111122223333:assumed-role/Viewer/ann',
    });
    expect(
      result.entries.some(
        (entry: { namespace: string; role: string }) =>
          entry.namespace === 'prod-*' && entry.role === 'AccessPolicy/AmazonEKSViewPolicy',
      ),
    ).toBe(true);
    expect(run.stderr).toContain('access policy AmazonEKSViewPolicy in namespaces prod-*');
  });

  it('rejects an unknown subject syntax with the accepted forms', async () => {
    const run = await rbac('permissions', 'bob');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'unknown subject "bob". Name it as user:NAME, group:NAME, sa:NAMESPACE/NAME or iam:ARN',
    );
  });

  it('exports grants as CSV for review tools', async () => {
    const run = await cli(['rbac', 'export', '-f', dir, '-o', 'csv'], env);
    expect(run.stdout.split('\r\n')[0]).toBe(
      'resource_type,resource,entitlement,principal_type,principal,binding,role_exists',
    );
    expect(run.stdout).toContain(
      'cluster_role,exec,member:prod,service_account,prod:debugger,RoleBinding/prod/oncall,true',
    );
  });
});
