import type { EKSClient, AccessEntry as SdkAccessEntry } from '@aws-sdk/client-eks';
import { isAppError } from '../../../errors.js';
import type { EksAccessConfig } from '../../../inventory/index.js';
import type { AccessEntry, AccessPolicyAssociation } from '../../../rbac/index.js';
import type { EksAccessEntriesPort } from '../../types.js';
import { settledInBatches } from './batches.js';
import { awsError } from './errors.js';

/** The EKS access entries API of one cluster, as the RBAC and JIT capabilities use it. */
export class EksAccessEntries implements EksAccessEntriesPort {
  readonly #client: () => Promise<EKSClient>;
  readonly #cluster: string;

  constructor(options: { readonly client: () => Promise<EKSClient>; readonly cluster: string }) {
    this.#client = options.client;
    this.#cluster = options.cluster;
  }

  async #send<T>(
    doing: string,
    make: (sdk: typeof import('@aws-sdk/client-eks')) => { readonly constructor: { readonly name: string } },
  ): Promise<T> {
    const sdk = await import('@aws-sdk/client-eks');
    const client = await this.#client();
    let command: { readonly constructor: { readonly name: string } } | undefined;
    try {
      command = make(sdk);
      // biome-ignore lint/suspicious/noExplicitAny: the command type is chosen by the caller
      return (await client.send(command as any)) as T;
    } catch (error) {
      // DescribeAccessEntryCommand → eks:DescribeAccessEntry, the IAM action to grant.
      const action = command ? `eks:${command.constructor.name.replace(/Command$/, '')}` : undefined;
      throw awsError(error, `${doing} (EKS cluster ${this.#cluster})`, action);
    }
  }

  async accessConfig(): Promise<EksAccessConfig> {
    const { cluster } = await this.#send<import('@aws-sdk/client-eks').DescribeClusterResponse>(
      'reading the access configuration',
      (sdk) => new sdk.DescribeClusterCommand({ name: this.#cluster }),
    );
    const authenticationMode = (cluster?.accessConfig?.authenticationMode ??
      'CONFIG_MAP') as EksAccessConfig['authenticationMode'];
    // A CONFIG_MAP cluster has no access entries API to ask.
    if (authenticationMode === 'CONFIG_MAP') return { authenticationMode, accessEntries: [] };
    const arns = await this.#principals();
    const results = await settledInBatches(arns, (arn) => this.#entry(arn));
    const failed = results.find((result) => result.status === 'rejected');
    // An inventory missing one principal would under-report access: the whole read fails instead.
    if (failed) throw failed.reason;
    const accessEntries = results.map((result) => (result as PromiseFulfilledResult<AccessEntry>).value);
    return { authenticationMode, accessEntries };
  }

  async accessEntry(principalArn: string): Promise<AccessEntry | undefined> {
    try {
      return await this.#entry(principalArn);
    } catch (error) {
      if (isAppError(error) && error.code === 'not-found') return undefined;
      throw error;
    }
  }

  async #principals(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#send<import('@aws-sdk/client-eks').ListAccessEntriesResponse>(
        'listing access entries',
        (sdk) =>
          new sdk.ListAccessEntriesCommand({
            clusterName: this.#cluster,
            ...(nextToken ? { nextToken } : {}),
          }),
      );
      arns.push(...(page.accessEntries ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  async #entry(principalArn: string): Promise<AccessEntry> {
    const { accessEntry } = await this.#send<import('@aws-sdk/client-eks').DescribeAccessEntryResponse>(
      `reading the access entry of ${principalArn}`,
      (sdk) => new sdk.DescribeAccessEntryCommand({ clusterName: this.#cluster, principalArn }),
    );
    const policies: AccessPolicyAssociation[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#send<import('@aws-sdk/client-eks').ListAssociatedAccessPoliciesResponse>(
        `listing the access policies of ${principalArn}`,
        (sdk) =>
          new sdk.ListAssociatedAccessPoliciesCommand({
            clusterName: this.#cluster,
            principalArn,
            ...(nextToken ? { nextToken } : {}),
          }),
      );
      for (const policy of page.associatedAccessPolicies ?? [])
        policies.push({
          policyArn: policy.policyArn ?? '',
          accessScope: {
            type: policy.accessScope?.type === 'namespace' ? 'namespace' : 'cluster',
            ...(policy.accessScope?.namespaces ? { namespaces: policy.accessScope.namespaces } : {}),
          },
        });
      nextToken = page.nextToken;
    } while (nextToken);
    return toEntry(accessEntry ?? { principalArn }, policies);
  }

  async createAccessEntry(
    entry: Parameters<EksAccessEntriesPort['createAccessEntry']>[0],
  ): Promise<AccessEntry> {
    const { accessEntry } = await this.#send<import('@aws-sdk/client-eks').CreateAccessEntryResponse>(
      `creating an access entry for ${entry.principalArn}`,
      (sdk) =>
        new sdk.CreateAccessEntryCommand({
          clusterName: this.#cluster,
          principalArn: entry.principalArn,
          ...(entry.username ? { username: entry.username } : {}),
          ...(entry.kubernetesGroups ? { kubernetesGroups: [...entry.kubernetesGroups] } : {}),
          ...(entry.type ? { type: entry.type } : {}),
        }),
    );
    return toEntry(accessEntry ?? { principalArn: entry.principalArn }, []);
  }

  async deleteAccessEntry(principalArn: string): Promise<void> {
    await this.#send(
      `deleting the access entry of ${principalArn}`,
      (sdk) => new sdk.DeleteAccessEntryCommand({ clusterName: this.#cluster, principalArn }),
    );
  }

  async associateAccessPolicy(
    input: Parameters<EksAccessEntriesPort['associateAccessPolicy']>[0],
  ): Promise<void> {
    await this.#send(
      `associating ${input.policyArn} with ${input.principalArn}`,
      (sdk) =>
        new sdk.AssociateAccessPolicyCommand({
          clusterName: this.#cluster,
          principalArn: input.principalArn,
          policyArn: input.policyArn,
          accessScope: {
            type: input.accessScope.type,
            ...(input.accessScope.namespaces ? { namespaces: [...input.accessScope.namespaces] } : {}),
          },
        }),
    );
  }

  async disassociateAccessPolicy(
    input: Parameters<EksAccessEntriesPort['disassociateAccessPolicy']>[0],
  ): Promise<void> {
    await this.#send(
      `disassociating ${input.policyArn} from ${input.principalArn}`,
      (sdk) =>
        new sdk.DisassociateAccessPolicyCommand({
          clusterName: this.#cluster,
          principalArn: input.principalArn,
          policyArn: input.policyArn,
        }),
    );
  }
}

function toEntry(entry: SdkAccessEntry, policies: AccessPolicyAssociation[]): AccessEntry {
  return {
    principalArn: entry.principalArn ?? '',
    type: (entry.type ?? 'STANDARD') as AccessEntry['type'],
    ...(entry.username ? { username: entry.username } : {}),
    kubernetesGroups: entry.kubernetesGroups ?? [],
    policies,
  };
}
