import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';

const env = () => ({ GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-setup-')) });

describe('gatehouse setup for clouds', () => {
  it('aws: a trust policy bound to a fresh random external ID, and access policies limited to the offered ones', async () => {
    const first = JSON.parse(
      (
        await cli(
          [
            'setup',
            'aws',
            '--for',
            'access',
            '--bindable',
            'edit',
            '--principal-pattern',
            'arn:aws:iam::111122223333:role/oncall-*',
            '-o',
            'json',
          ],
          env(),
        )
      ).stdout,
    );
    const second = JSON.parse(
      (
        await cli(
          [
            'setup',
            'aws',
            '--for',
            'access',
            '--bindable',
            'edit',
            '--principal-pattern',
            'arn:aws:iam::111122223333:role/oncall-*',
            '-o',
            'json',
          ],
          env(),
        )
      ).stdout,
    );
    expect(first.externalId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.externalId).not.toBe(second.externalId);
    expect(first.trustPolicy.Statement[0].Condition.StringEquals['sts:ExternalId']).toBe(first.externalId);
    const associate = first.policy.Statement.find(
      (statement: { Sid: string }) => statement.Sid === 'AssociateOfferedPolicies',
    );
    expect(associate.Condition.ArnLike['eks:principalArn']).toEqual([
      'arn:aws:iam::111122223333:role/oncall-*',
    ]);
    const create = first.policy.Statement.find(
      (statement: { Sid: string }) => statement.Sid === 'CreateRequesterEntries',
    );
    expect(create.Condition).toMatchObject({
      StringEquals: { 'eks:accessEntryType': 'STANDARD' },
      Null: { 'eks:kubernetesGroups': 'true', 'eks:username': 'true' },
    });
    expect(associate.Condition.StringEquals['eks:policyArn']).toEqual([
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
    ]);
    expect(first.kubernetesRbac[0].metadata.name).toBe('gatehouse-access');
    // bind only on the roles offered, ServiceAccount rights only in the credential namespace.
    expect(first.kubernetesRbac[0].rules).toContainEqual({
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'clusterroles'],
      verbs: ['bind'],
      resourceNames: ['edit'],
    });
    expect(JSON.stringify(first.kubernetesRbac[0].rules)).not.toContain('serviceaccounts');
    expect(first.kubernetesRbac[2]).toMatchObject({
      kind: 'Role',
      metadata: { namespace: 'gatehouse-access' },
    });
  });

  it('aws: forensics asks AWS only where clusters are', async () => {
    const yaml = await cli(['setup', 'aws', '--for', 'forensics', '--external-id', 'x', '-o', 'yaml'], env());
    expect(yaml.stdout).toContain('kind: AwsSetup');
    const json = await cli(['setup', 'aws', '--for', 'forensics', '--external-id', 'x', '-o', 'json'], env());
    const setup = JSON.parse(json.stdout);
    expect(setup.policy.Statement.flatMap((statement: { Action: string[] }) => statement.Action)).toEqual([
      'eks:ListClusters',
      'eks:DescribeCluster',
    ]);
  });

  it('gcp: binds the custom role to the member and the in-cluster role to its email', async () => {
    const setup = JSON.parse(
      (
        await cli(
          [
            'setup',
            'gcp',
            '--for',
            'inventory',
            '--project',
            'acme-prod',
            '--member',
            'serviceAccount:ops@acme-prod.iam.gserviceaccount.com',
            '-o',
            'json',
          ],
          env(),
        )
      ).stdout,
    );
    expect(setup.customRole.includedPermissions).toContain('container.clusters.list');
    expect(setup.commands.join('\n')).toContain(
      '--member=serviceAccount:ops@acme-prod.iam.gserviceaccount.com',
    );
    expect(setup.kubernetesRbac[1].subjects[0].name).toBe('ops@acme-prod.iam.gserviceaccount.com');
  });

  it('azure: a custom role scoped to the resource group, with run command only for --private', async () => {
    const forensics = JSON.parse(
      (
        await cli(
          [
            'setup',
            'azure',
            '--for',
            'forensics',
            '--subscription',
            '00000000-0000-0000-0000-000000000001',
            '--resource-group',
            'prod',
            '--private',
            '-o',
            'json',
          ],
          env(),
        )
      ).stdout,
    );
    expect(forensics.roleDefinition.AssignableScopes).toEqual([
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod',
    ]);
    expect(forensics.roleDefinition.Actions.join(' ')).toContain('runCommand');
    const inventory = JSON.parse(
      (
        await cli(
          [
            'setup',
            'azure',
            '--for',
            'inventory',
            '--subscription',
            '00000000-0000-0000-0000-000000000001',
            '-o',
            'json',
          ],
          env(),
        )
      ).stdout,
    );
    expect(inventory.roleDefinition.Actions.join(' ')).not.toContain('runCommand');
  });

  it('access: refuses to print an unbounded bind right when no roles are named', async () => {
    const run = await cli(['setup', 'rbac', 'access'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --bindable ROLE');
  });

  it('reviews: rewrite or delete bindings and prove with SubjectAccessReview; bind only on the roles named', async () => {
    const rulesOf = async (...args: string[]) => {
      const run = await cli(['setup', 'rbac', 'reviews', ...args, '-o', 'json'], env());
      expect(run.code, run.stderr).toBe(0);
      const [clusterRole] = JSON.parse(run.stdout) as {
        rules: { verbs: string[]; resourceNames?: string[] }[];
      }[];
      return clusterRole?.rules ?? [];
    };
    const plain = await rulesOf();
    expect(plain.flatMap((rule) => rule.verbs)).not.toContain('bind');
    expect(plain).toContainEqual({
      apiGroups: ['authorization.k8s.io'],
      resources: ['subjectaccessreviews'],
      verbs: ['create'],
    });
    const bound = await rulesOf('--bindable', 'edit');
    expect(bound.filter((rule) => rule.verbs.includes('bind'))).toEqual([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles', 'clusterroles'],
        verbs: ['bind'],
        resourceNames: ['edit'],
      },
    ]);
  });

  it('names an unknown capability and the ones that exist', async () => {
    const run = await cli(['setup', 'aws', '--for', 'everything'], env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('unknown capability "everything". Use --for forensics|inventory|access');
  });
});
