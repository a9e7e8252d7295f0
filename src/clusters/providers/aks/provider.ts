import type { ManagedCluster } from '@azure/arm-containerservice';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError, describeError } from '../../../errors.js';
import type {
  ClusterDescription,
  ClusterListing,
  ClusterProvider,
  ClusterRef,
  RunCommandPort,
} from '../../types.js';
import { azureError } from './errors.js';
import { aksKubeConfig } from './kubeconfig.js';
import { type AksLocation, locate, toClusterRef, toDescription } from './mapping.js';
import { canReach, privateEndpointError } from './private-endpoint.js';
import { AksRunCommand } from './run-command.js';
import { type AksProviderOptions, AzureSession } from './session.js';

/** How long connect() tries a private API server before saying it is out of reach. */
const privateProbeMs = 3000;

/**
 * AKS clusters of one or more Azure subscriptions, connected without az or kubelogin: ARM hands
 * out the kubeconfig, and Entra ID clusters get tokens from the provider's Azure credential.
 *
 * @example
 * const aks = new AksProvider({ subscriptions: ['0b1f6471-1bf0-4dda-aec3-cb9272f09590'] });
 * const { clusters, errors } = await aks.listClusters();
 * const config = await aks.connect(clusters[0]!);
 */
export class AksProvider implements ClusterProvider {
  readonly kind = 'aks';
  readonly options: AksProviderOptions;
  readonly #azure: AzureSession;

  constructor(options: AksProviderOptions) {
    this.options = options;
    this.#azure = new AzureSession(options);
  }

  async listClusters(): Promise<ClusterListing> {
    const clusters: ClusterRef[] = [];
    const errors: { source: string; message: string }[] = [];
    let subscriptions = this.options.subscriptions;
    if (subscriptions.length === 0) {
      try {
        const visible = await this.#azure.visibleSubscriptions();
        subscriptions = visible.usable;
        if (visible.unusable.length > 0)
          errors.push({
            source: 'aks subscriptions',
            message: `skipped disabled or deleted subscription(s) ${visible.unusable.join(', ')}`,
          });
        if (subscriptions.length === 0)
          errors.push({
            source: 'aks subscriptions',
            message:
              'the Azure credential sees no enabled subscription. Fix: give its identity a role on the subscriptions (gatehouse setup azure --for inventory), or pass --subscriptions',
          });
      } catch (error) {
        errors.push({
          source: 'aks subscriptions',
          message: describeError(azureError(error, 'listing the Azure subscriptions the credential can see')),
        });
        return { clusters, errors };
      }
    }
    const results = await Promise.allSettled(subscriptions.map((subscription) => this.#list(subscription)));
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') clusters.push(...result.value);
      else errors.push({ source: `aks ${subscriptions[index]}`, message: describeError(result.reason) });
    });
    return { clusters, errors };
  }

  async #list(subscription: string): Promise<ClusterRef[]> {
    const { resourceGroup } = this.options;
    const where = `subscription ${subscription}${resourceGroup ? ` resource group ${resourceGroup}` : ''}`;
    const refs: ClusterRef[] = [];
    // The pager replaces ARM's error message (which names the refused action) with its own: keep it.
    let answer: unknown;
    const options = {
      onResponse: (response: { readonly parsedBody?: unknown }) => (answer = response.parsedBody),
    };
    try {
      const { managedClusters } = await this.#azure.client(subscription);
      const pages = resourceGroup
        ? managedClusters.listByResourceGroup(resourceGroup, options)
        : managedClusters.list(options);
      for await (const cluster of pages) refs.push(toClusterRef(subscription, cluster));
    } catch (error) {
      throw azureError(error, `listing AKS clusters in ${where}`, answer);
    }
    return refs;
  }

  async #get(where: AksLocation): Promise<ManagedCluster> {
    try {
      const client = await this.#azure.client(where.subscription);
      return await client.managedClusters.get(where.resourceGroup, where.cluster);
    } catch (error) {
      throw azureError(error, `reading AKS cluster ${where.cluster} (resource group ${where.resourceGroup})`);
    }
  }

  async describe(ref: ClusterRef): Promise<ClusterDescription> {
    const where = locate(ref);
    return toDescription(where.subscription, await this.#get(where));
  }

  /** Fresh credentials from ARM at each call; a private server this machine cannot reach is refused here. */
  async connect(ref: ClusterRef): Promise<KubeConfig> {
    const where = locate(ref);
    const [cluster, kubeconfig] = await Promise.allSettled([this.#get(where), this.#kubeconfig(where)]);
    if (cluster.status === 'rejected') throw cluster.reason;
    // ARM answers admin requests on such clusters with a bare 400; name the setting instead.
    if (this.options.admin && cluster.value.disableLocalAccounts)
      throw new AppError(
        'auth.forbidden',
        `AKS cluster ${where.cluster} has local accounts disabled, so it has no admin credentials`,
        {
          fix: 'Connect with user credentials (drop admin) and an Entra ID identity that has a role in the cluster',
        },
      );
    if (kubeconfig.status === 'rejected') throw kubeconfig.reason;
    const config = aksKubeConfig({
      name: ref.name,
      kubeconfig: kubeconfig.value,
      credential: () => this.#azure.credential(),
    });
    const server = config.getCurrentCluster()?.server ?? '';
    if (
      cluster.value.apiServerAccessProfile?.enablePrivateCluster &&
      !(await canReach(server, privateProbeMs))
    )
      throw privateEndpointError(where.cluster, server);
    return config;
  }

  async #kubeconfig(where: AksLocation): Promise<Uint8Array> {
    const { admin } = this.options;
    const doing = `getting the ${admin ? 'admin' : 'user'} credentials of AKS cluster ${where.cluster} (resource group ${where.resourceGroup})`;
    let kubeconfig: Uint8Array | undefined;
    try {
      const { managedClusters } = await this.#azure.client(where.subscription);
      const results = admin
        ? await managedClusters.listClusterAdminCredentials(where.resourceGroup, where.cluster)
        : // exec format: the kubelogin user this provider replaces with in-process Entra tokens.
          await managedClusters.listClusterUserCredentials(where.resourceGroup, where.cluster, {
            format: 'exec',
          });
      kubeconfig = results.kubeconfigs?.[0]?.value;
    } catch (error) {
      throw azureError(error, doing);
    }
    if (!kubeconfig) throw new AppError('internal', `${doing}: AKS returned no kubeconfig`);
    return kubeconfig;
  }

  /** Runs commands through AKS run command: slower, but works when the API server is private. */
  readonly runCommand = (ref: ClusterRef): RunCommandPort => {
    const location = locate(ref);
    return new AksRunCommand({
      location,
      client: () => this.#azure.client(location.subscription),
      credential: () => this.#azure.credential(),
      ...(this.options.pollIntervalMs ? { pollIntervalMs: this.options.pollIntervalMs } : {}),
    });
  };

  /** A cluster that stopped answering may be private: say so, and point at runCommand. */
  async explainFailure(ref: ClusterRef, error: AppError): Promise<AppError> {
    if (error.code !== 'cluster.unreachable' && error.code !== 'cluster.timeout') return error;
    const description = await this.describe(ref).catch(() => undefined);
    if (!description?.endpointAccess?.private || description.endpointAccess.public) return error;
    return privateEndpointError(locate(ref).cluster, description.endpoint, error);
  }
}
