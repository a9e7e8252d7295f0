import { readFileSync } from 'node:fs';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { KubeClient } from '../../src/kube/index.js';
import { type AccessEntriesFake, startAccessEntriesFake } from './eks-access-entries-fake.js';
import { type EksAuthenticator, startEksAuthenticator } from './eks-authenticator.js';
import { type RunningMoto, startMoto } from './moto.js';

export const account = '123456789012';
const awsAuthPath = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

/**
 * An EKS account for e2e tests: moto (with the access entries fake in front) holds cluster
 * `local-test` in us-east-1, whose endpoint and CA are the test cluster's, and the test cluster
 * sends EKS tokens to the aws-iam-authenticator stand-in. `close` restores aws-auth.
 */
export interface EksWorld {
  readonly moto: RunningMoto;
  readonly fake: AccessEntriesFake;
  readonly authenticator: EksAuthenticator;
  /** The AWS endpoint Gatehouse is given (the fake, which passes the rest to moto). */
  readonly endpoint: string;
  createRole(name: string, trust?: object): Promise<string>;
  createCluster(
    name: string,
    region: string,
    options?: { private?: boolean; authenticationMode?: string; local?: boolean },
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startEksWorld(admin: KubeClient): Promise<EksWorld> {
  const moto = await startMoto();
  const fake = await startAccessEntriesFake(moto.endpoint);
  const authenticator = await startEksAuthenticator({
    admin,
    moto: moto.endpoint,
    clusterId: 'local-test',
    accessEntry: (principal) => {
      const entry = fake.entries.get('local-test')?.get(principal);
      return entry ? { username: entry.username, groups: entry.kubernetesGroups } : undefined;
    },
  });
  const originalAwsAuth = await admin.request<{ metadata: object }>({ path: awsAuthPath });
  const base = {
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const local = admin.kubeConfig.getCurrentCluster()!;
  return {
    moto,
    fake,
    authenticator,
    endpoint: fake.endpoint,
    async createRole(name, trust) {
      await new IAMClient({ ...base, region: 'us-east-1' }).send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify(
            trust ?? {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: `arn:aws:iam::${account}:root` },
                  Action: 'sts:AssumeRole',
                },
              ],
            },
          ),
        }),
      );
      return `arn:aws:iam::${account}:role/${name}`;
    },
    async createCluster(name, region, options = {}) {
      const ca = local.caData ?? readFileSync(local.caFile!).toString('base64');
      await new EKSClient({ ...base, region }).send(
        new CreateClusterCommand({
          name,
          roleArn: `arn:aws:iam::${account}:role/eks-service`,
          resourcesVpcConfig: {
            subnetIds: [],
            ...(options.private ? { endpointPublicAccess: false, endpointPrivateAccess: true } : {}),
          },
          version: '1.36',
          tags: {
            ...(options.local ? { 'gatehouse.test/endpoint': local.server, 'gatehouse.test/ca': ca } : {}),
            ...(options.authenticationMode
              ? { 'gatehouse.test/authentication-mode': options.authenticationMode }
              : {}),
          },
        }),
      );
    },
    async close() {
      const current = await admin.request<{ metadata: { resourceVersion: string } }>({ path: awsAuthPath });
      await admin.request({
        method: 'PUT',
        path: awsAuthPath,
        body: {
          ...originalAwsAuth,
          metadata: { ...originalAwsAuth.metadata, resourceVersion: current.metadata.resourceVersion },
        },
      });
      await authenticator.close();
      await fake.close();
      moto.stop();
    },
  };
}
