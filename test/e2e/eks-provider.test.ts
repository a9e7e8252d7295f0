import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ClusterRef } from '../../src/clusters/index.js';
import { EksProvider } from '../../src/clusters/providers/eks/index.js';
import { type AppError, isAppError } from '../../src/errors.js';
import { KubeClient, loadKubeconfig, whoAmI } from '../../src/kube/index.js';
import { addAwsAuthMapping, removeAwsAuthMapping } from '../../src/provisioning/index.js';
import type { Store } from '../../src/store/index.js';
import { cli } from '../support/cli.js';
import { account, type EksWorld, startEksWorld } from '../support/eks.js';
import type { AccessEntriesFake } from '../support/eks-access-entries-fake.js';
import type { EksAuthenticator } from '../support/eks-authenticator.js';
import { waitFor } from '../support/jit.js';
import { startMoto } from '../support/moto.js';
import { freshStore } from '../support/stores.js';

const admin = new KubeClient(loadKubeconfig({ path: inject('kubeconfig') }).config);
const local = admin.kubeConfig.getCurrentCluster()!;
const roleArn = `arn:aws:iam::${account}:role/gatehouse-reader`;
const group = 'gatehouse:e2e-eks-readers';
let fake: AccessEntriesFake;
let authenticator: EksAuthenticator;
let provider: EksProvider;
let store: Store;
let cleanStore: () => Promise<void>;
let world: EksWorld;

const failure = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
};

beforeAll(async () => {
  world = await startEksWorld(admin);
  ({ fake, authenticator } = world);
  ({ store, cleanup: cleanStore } = await freshStore('sqlite'));
  await world.createRole('gatehouse-reader', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'e2e-external-id' } },
      },
    ],
  });
  await world.createCluster('local-test', 'us-east-1', {
    local: true,
    authenticationMode: 'API_AND_CONFIG_MAP',
  });
  await world.createCluster('private-one', 'eu-west-1', { private: true });
  provider = new EksProvider({
    name: 'e2e',
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    account: { roleArns: [roleArn], externalId: 'e2e-external-id' },
    endpoint: fake.endpoint,
  });
});

afterAll(async () => {
  await admin
    .request({
      method: 'DELETE',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/e2e-eks-readers',
    })
    .catch(() => undefined);
  await world?.close();
  await cleanStore?.();
});

const find = async (name: string): Promise<ClusterRef> => {
  const listing = await provider.listClusters();
  const ref = listing.clusters.find((cluster) => cluster.location?.cluster === name);
  if (!ref) throw new Error(`${name} not listed: ${JSON.stringify(listing)}`);
  return ref;
};

describe('EKS provider against moto and the test cluster', () => {
  it('lists the clusters of every region through the assumed role, named by account and region', async () => {
    const listing = await provider.listClusters();
    expect(listing.errors).toEqual([]);
    expect(listing.clusters.map((cluster) => cluster.name).sort()).toEqual([
      `eks/${account}/eu-west-1/private-one`,
      `eks/${account}/us-east-1/local-test`,
    ]);
    const ref = listing.clusters.find((cluster) => cluster.name.endsWith('local-test'))!;
    expect(ref).toMatchObject({
      provider: 'eks',
      server: local.server,
      location: { source: 'e2e', region: 'us-east-1' },
    });
  });

  it('describes version, endpoint access and auth mode', async () => {
    const privateOne = await provider.describe(await find('private-one'));
    expect(privateOne.endpointAccess).toEqual({ public: false, private: true });
    expect(privateOne.authMode).toBe('CONFIG_MAP');
    const localTest = await provider.describe(await find('local-test'));
    expect(localTest).toMatchObject({ version: '1.36', authMode: 'API_AND_CONFIG_MAP', status: 'ACTIVE' });
  });

  it('connects with an in-process token: refused while unmapped with the exact mapping to add, let in once aws-auth maps the role, refused again when the mapping goes', async () => {
    const ref = await find('local-test');
    const client = new KubeClient(await provider.connect(ref));
    const listPods = () => client.request<{ items: unknown[] }>({ path: '/api/v1/namespaces/dev/pods' });
    const refused = await failure(listPods());
    expect(refused.code).toBe('auth.unauthorized');
    const explained = await provider.explainFailure(ref, refused);
    expect(explained.message).toContain(
      `refused ${roleArn}: this role is not configured to authorize with this EKS cluster`,
    );
    expect(explained.fix).toContain(
      `aws eks create-access-entry --cluster-name local-test --region us-east-1 --principal-arn ${roleArn}`,
    );
    expect(explained.fix).toContain(`rolearn: ${roleArn}`);
    expect(authenticator.calls.at(-1), JSON.stringify(authenticator.calls)).toMatchObject({
      arn: `arn:aws:sts::${account}:assumed-role/gatehouse-reader/gatehouse`,
      authenticated: false,
    });

    await admin.request({
      method: 'POST',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        metadata: { name: 'e2e-eks-readers' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: group }],
      },
    });
    const options = { store, cluster: 'local-test', reason: 'e2e' };
    await addAwsAuthMapping(
      admin,
      { arn: roleArn, username: 'reader:{{SessionName}}', groups: [group] },
      options,
    );
    const canList = () =>
      listPods().then(
        () => true,
        () => false,
      );
    await waitFor(canList, true, 5_000);
    expect(await whoAmI(client)).toMatchObject({
      username: 'reader:gatehouse',
      groups: expect.arrayContaining([group]),
    });
    expect(await removeAwsAuthMapping(admin, roleArn, options)).toBe(true);
    // The API server keeps a token it authenticated for 10 s before it asks the webhook again.
    await waitFor(canList, false, 15_000);
  });

  it('provisions and reads access entries through the port; an entry lets the role in without aws-auth', async () => {
    const ref = await find('local-test');
    const entries = provider.accessEntries(ref);
    await entries.createAccessEntry({
      principalArn: roleArn,
      username: 'entry-reader',
      kubernetesGroups: [group],
    });
    await entries.associateAccessPolicy({
      principalArn: roleArn,
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
      accessScope: { type: 'namespace', namespaces: ['dev'] },
    });
    const config = await entries.accessConfig();
    expect(config.authenticationMode).toBe('API_AND_CONFIG_MAP');
    expect(config.accessEntries).toEqual([
      {
        principalArn: roleArn,
        type: 'STANDARD',
        username: 'entry-reader',
        kubernetesGroups: [group],
        policies: [
          {
            policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
            accessScope: { type: 'namespace', namespaces: ['dev'] },
          },
        ],
      },
    ]);
    const client = new KubeClient(await provider.connect(ref));
    await waitFor(
      () =>
        whoAmI(client).then(
          (who) => who.username === 'entry-reader',
          () => false,
        ),
      true,
      5_000,
    );
    await entries.disassociateAccessPolicy({
      principalArn: roleArn,
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
    });
    await entries.deleteAccessEntry(roleArn);
    expect((await entries.accessConfig()).accessEntries).toEqual([]);
    const gone = await failure(entries.deleteAccessEntry(roleArn));
    expect(gone.code).toBe('not-found');
  });

  it('explains a private endpoint it cannot reach', async () => {
    const ref = await find('private-one');
    const client = new KubeClient(await provider.connect(ref), { timeoutMs: 5_000 });
    const unreachable = await failure(client.request({ path: '/api/v1/pods' }));
    const explained = await provider.explainFailure(ref, unreachable);
    expect(explained.code).toBe('cluster.unreachable');
    expect(explained.message).toContain('is private');
    expect(explained.fix).toContain("inside the cluster's VPC");
  });

  it('lists clusters with exactly the policy `setup aws` prints, and names the IAM action a role lacks', async () => {
    // moto checks IAM policies after the 10 set-up calls below.
    const strict = await startMoto({ enforceIamAfter: 10 });
    try {
      const base = {
        region: 'us-east-1',
        endpoint: strict.endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      };
      const iam = new IAMClient(base);
      const user = async (name: string, actions: string[]) => {
        await iam.send(new CreateUserCommand({ UserName: name }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
        await iam.send(
          new PutUserPolicyCommand({
            UserName: name,
            PolicyName: 'own',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
            }),
          }),
        );
        return async () => ({
          accessKeyId: AccessKey!.AccessKeyId!,
          secretAccessKey: AccessKey!.SecretAccessKey!,
        });
      };
      const limited = await user('limited', ['sts:GetCallerIdentity']);
      const runner = await user('runner', ['sts:AssumeRole']);
      const setup = JSON.parse(
        (
          await cli([
            'setup',
            'aws',
            '--for',
            'inventory',
            '--external-id',
            'ext-1',
            '--trusted-principal',
            `arn:aws:iam::${account}:user/runner`,
            '-o',
            'json',
          ])
        ).stdout,
      ) as { roleName: string; policy: object; trustPolicy: object };
      await iam.send(
        new CreateRoleCommand({
          RoleName: setup.roleName,
          AssumeRolePolicyDocument: JSON.stringify(setup.trustPolicy),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: setup.roleName,
          PolicyName: 'gatehouse',
          PolicyDocument: JSON.stringify(setup.policy),
        }),
      );
      await new EKSClient(base).send(
        new CreateClusterCommand({
          name: 'strict-one',
          roleArn: `arn:aws:iam::${account}:role/eks-service`,
          resourcesVpcConfig: { subnetIds: [] },
        }),
      );

      const granted = new EksProvider({
        name: 'granted',
        regions: ['us-east-1'],
        endpoint: strict.endpoint,
        account: {
          base: runner,
          roleArns: [`arn:aws:iam::${account}:role/${setup.roleName}`],
          externalId: 'ext-1',
        },
      });
      const allowed = await granted.listClusters();
      expect(allowed.errors).toEqual([]);
      expect(allowed.clusters.map((cluster) => cluster.location?.cluster)).toEqual(['strict-one']);

      const refused = await new EksProvider({
        name: 'limited',
        regions: ['us-east-1'],
        endpoint: strict.endpoint,
        account: { base: limited },
      }).listClusters();
      expect(refused.clusters).toEqual([]);
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors[0]!.message).toMatch(
        /listing EKS clusters in us-east-1: AWS refused eks:ListClusters/,
      );
      expect(refused.errors[0]!.message).toContain('gatehouse setup aws');
    } finally {
      strict.stop();
    }
  });

  it('from the CLI: add the account, see its clusters with the diagnosis, follow the fix, sync RBAC and access entries', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-eks-cli-'));
    const env = { GATEHOUSE_HOME: home, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    const kubeconfig = inject('kubeconfig');
    const name = `eks/${account}/us-east-1/local-test`;
    try {
      const added = await cli(
        [
          'providers',
          'add',
          'aws',
          '--name',
          'e2e',
          '--regions',
          'us-east-1,eu-west-1',
          '--role-arn',
          roleArn,
          '--external-id',
          'e2e-external-id',
          '--endpoint',
          fake.endpoint,
        ],
        env,
      );
      expect(added.stderr).toBe('');
      expect(added.stdout).toContain('provider e2e added: 2 cluster(s) found');
      const listed = await cli(['--kubeconfig', kubeconfig, 'clusters', 'list', '-o', 'json'], env);
      const items = JSON.parse(listed.stdout).items as {
        cluster: { name: string };
        reachable: boolean;
        error?: { message: string };
      }[];
      const eks = items.find((item) => item.cluster.name === name)!;
      // The API server answered: the role is simply not mapped yet, and the problem says how to map it.
      expect(eks.reachable).toBe(true);
      expect(eks.error!.message).toContain('this role is not configured to authorize with this EKS cluster');
      expect(items.some((item) => item.cluster.name === admin.context)).toBe(true);

      // The fix, as printed: map the role to the user gatehouse, apply the inventory role.
      const setup = await cli(['setup', 'rbac', 'inventory', '-o', 'json'], env);
      for (const document of JSON.parse(setup.stdout) as { kind: string }[]) {
        const plural = document.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings';
        await admin
          .request({ method: 'POST', path: `/apis/rbac.authorization.k8s.io/v1/${plural}`, body: document })
          .catch(() => undefined);
      }
      await addAwsAuthMapping(
        admin,
        { arn: roleArn, username: 'gatehouse', groups: [] },
        { store, cluster: 'local-test', reason: 'e2e' },
      );
      await provider.accessEntries(await find('local-test')).createAccessEntry({
        principalArn: `arn:aws:iam::${account}:role/auditor`,
        kubernetesGroups: ['auditors'],
      });
      const client = new KubeClient(await provider.connect(await find('local-test')));
      await waitFor(
        () =>
          whoAmI(client).then(
            (who) => who.username === 'gatehouse',
            () => false,
          ),
        true,
        15_000,
      );
      const synced = await cli(['--context', name, 'rbac', 'sync', '-o', 'json'], env);
      expect(synced.stderr).toBe('');
      expect(synced.code).toBe(0);
      const run = JSON.parse(synced.stdout) as { cluster: string; status: string };
      // The access entry created through the port arrives in the snapshot beside aws-auth.
      expect(run).toMatchObject({
        cluster: name,
        status: 'succeeded',
        counts: { awsAuth: 1, accessEntries: 1 },
      });
      const described = await cli(['clusters', 'describe', name, '-o', 'json'], env);
      expect(JSON.parse(described.stdout)).toMatchObject({ authMode: 'API_AND_CONFIG_MAP', version: '1.36' });
      expect((await cli(['providers', 'remove', 'e2e'], env)).code).toBe(0);
      expect((await cli(['providers', 'list', '-o', 'json'], env)).stdout.trim()).toBe('[]');
    } finally {
      await removeAwsAuthMapping(admin, roleArn, { store, cluster: 'local-test', reason: 'e2e' });
      fake.entries.get('local-test')?.clear();
      for (const path of ['clusterrolebindings/gatehouse-inventory', 'clusterroles/gatehouse-inventory'])
        await admin
          .request({ method: 'DELETE', path: `/apis/rbac.authorization.k8s.io/v1/${path}` })
          .catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('names a mistyped region before calling AWS', () => {
    expect(() => new EksProvider({ name: 'x', regions: ['us-east1'] })).toThrow(
      /not an AWS region name: us-east1/,
    );
  });
});
