import type { Cluster, EKSClient } from '@aws-sdk/client-eks';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError, describeError } from '../../../errors.js';
import { bearerKubeConfig } from '../../../kube/index.js';
import type {
  ClusterDescription,
  ClusterListing,
  ClusterProvider,
  ClusterRef,
  EksAccessEntriesPort,
} from '../../types.js';
import { EksAccessEntries } from './access-entries.js';
import { settledInBatches } from './batches.js';
import { type AwsAccountOptions, accountCredentials } from './credentials.js';
import { explainEksFailure } from './diagnose.js';
import { awsError } from './errors.js';
import { eksToken } from './token.js';

export interface EksProviderOptions {
  /** The registry entry this provider was made from; cluster refs carry it back to it. */
  readonly name: string;
  readonly regions: readonly string[];
  readonly account?: AwsAccountOptions;
  /** A local AWS endpoint for every service (moto in tests). */
  readonly endpoint?: string;
}

const regionPattern = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Checks region names before any call, so a typo is named instead of surfacing as a DNS error. */
export function checkRegions(regions: readonly string[]): void {
  if (regions.length === 0)
    throw new AppError('input.invalid', 'no AWS region given', {
      fix: 'Pass --regions, e.g. --regions eu-west-1,us-east-1',
    });
  const bad = regions.filter((region) => !regionPattern.test(region));
  if (bad.length > 0)
    throw new AppError('input.invalid', `not an AWS region name: ${bad.join(', ')}`, {
      fix: 'Use region codes such as us-east-1 or eu-west-1',
    });
}

/** EKS clusters of one AWS account across regions, connected with in-process tokens. */
export class EksProvider implements ClusterProvider {
  readonly kind = 'eks';
  readonly options: EksProviderOptions;
  #credentials: Promise<AwsCredentialIdentityProvider> | undefined;
  readonly #clients = new Map<string, Promise<EKSClient>>();

  constructor(options: EksProviderOptions) {
    checkRegions(options.regions);
    this.options = options;
  }

  credentials(): Promise<AwsCredentialIdentityProvider> {
    this.#credentials ??= accountCredentials({
      ...this.options.account,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      // One region that is not enabled or not reachable must not hide the others.
      stsRegions: this.options.regions,
    });
    return this.#credentials;
  }

  /** One SDK client per region, created on first use (the SDK is loaded lazily). */
  client(region: string): Promise<EKSClient> {
    let client = this.#clients.get(region);
    if (!client) {
      client = (async () => {
        const { EKSClient } = await import('@aws-sdk/client-eks');
        const credentials = await this.credentials();
        return new EKSClient({
          region,
          credentials,
          ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
        });
      })();
      this.#clients.set(region, client);
    }
    return client;
  }

  async listClusters(): Promise<ClusterListing> {
    const results = await Promise.allSettled(this.options.regions.map((region) => this.#listRegion(region)));
    const clusters: ClusterRef[] = [];
    const errors: { source: string; message: string }[] = [];
    results.forEach((result, index) => {
      const region = this.options.regions[index]!;
      if (result.status === 'fulfilled') clusters.push(...result.value.clusters);
      else
        errors.push({ source: `eks ${this.options.name} ${region}`, message: describeError(result.reason) });
      if (result.status === 'fulfilled') errors.push(...result.value.errors);
    });
    return { clusters, errors };
  }

  async #listRegion(region: string): Promise<ClusterListing> {
    const { ListClustersCommand } = await import('@aws-sdk/client-eks');
    const client = await this.client(region);
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client
        .send(new ListClustersCommand({ ...(nextToken ? { nextToken } : {}) }))
        .catch((error: unknown) =>
          Promise.reject(awsError(error, `listing EKS clusters in ${region}`, 'eks:ListClusters')),
        );
      names.push(...(page.clusters ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const described = await settledInBatches(names, (name) => this.#describeCluster(region, name));
    const clusters: ClusterRef[] = [];
    const errors: { source: string; message: string }[] = [];
    described.forEach((result, index) => {
      if (result.status === 'fulfilled') clusters.push(this.#ref(region, result.value));
      else errors.push({ source: `eks ${region}/${names[index]}`, message: describeError(result.reason) });
    });
    return { clusters, errors };
  }

  async #describeCluster(region: string, name: string): Promise<Cluster> {
    const { DescribeClusterCommand } = await import('@aws-sdk/client-eks');
    const client = await this.client(region);
    try {
      const { cluster } = await client.send(new DescribeClusterCommand({ name }));
      if (!cluster) throw new AppError('not-found', `EKS returned no cluster ${name}`);
      return cluster;
    } catch (error) {
      throw awsError(error, `describing EKS cluster ${name} in ${region}`, 'eks:DescribeCluster');
    }
  }

  #ref(region: string, cluster: Cluster): ClusterRef {
    const account = cluster.arn?.split(':')[4] ?? 'unknown';
    return {
      name: `eks/${account}/${region}/${cluster.name}`,
      provider: this.kind,
      server: cluster.endpoint ?? '',
      current: false,
      location: { source: this.options.name, account, region, cluster: cluster.name ?? '' },
    };
  }

  async describe(ref: ClusterRef): Promise<ClusterDescription> {
    const { region, cluster: name } = locate(ref);
    const cluster = await this.#describeCluster(region, name);
    const vpc = cluster.resourcesVpcConfig;
    return {
      cluster: this.#ref(region, cluster),
      ...(cluster.version ? { version: cluster.version } : {}),
      endpoint: cluster.endpoint ?? '',
      endpointAccess: {
        public: vpc?.endpointPublicAccess ?? true,
        private: vpc?.endpointPrivateAccess ?? false,
      },
      // Clusters made before access entries existed report no access config: they use aws-auth only.
      authMode: cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP',
      ...(cluster.status ? { status: cluster.status } : {}),
    };
  }

  async connect(ref: ClusterRef): Promise<KubeConfig> {
    const { region, cluster: name } = locate(ref);
    const cluster = await this.#describeCluster(region, name);
    if (!cluster.endpoint)
      throw new AppError(
        'cluster.unreachable',
        `EKS cluster ${name} has no API endpoint yet (status ${cluster.status})`,
        {
          fix: 'Wait until the cluster is ACTIVE',
        },
      );
    const credentials = await this.credentials();
    return bearerKubeConfig({
      name: ref.name,
      server: cluster.endpoint,
      ...(cluster.certificateAuthority?.data ? { caData: cluster.certificateAuthority.data } : {}),
      tokens: () => eksToken({ cluster: name, region, credentials }),
    });
  }

  readonly accessEntries = (ref: ClusterRef): EksAccessEntriesPort => {
    const { region, cluster } = locate(ref);
    return new EksAccessEntries({ client: () => this.client(region), cluster });
  };

  /** Turns a failure against the cluster into one that says which mapping or network path is missing. */
  async explainFailure(ref: ClusterRef, error: AppError): Promise<AppError> {
    return await explainEksFailure(this, ref, error);
  }
}

/** The region and cluster name of a ref this provider listed. */
export function locate(ref: ClusterRef): { region: string; cluster: string; account: string } {
  const region = ref.location?.region;
  const cluster = ref.location?.cluster;
  if (!region || !cluster)
    throw new AppError('input.invalid', `${ref.name} is not an EKS cluster listed by Gatehouse`, {
      fix: 'Pick a cluster from gatehouse clusters list',
    });
  return { region, cluster, account: ref.location?.account ?? '' };
}
