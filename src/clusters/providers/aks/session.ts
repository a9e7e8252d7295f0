import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/identity';

export interface AksProviderOptions {
  /**
   * Subscription IDs whose managed clusters Gatehouse lists, each on its own (one failing is an
   * error entry). Empty: every subscription the credential can see, looked up at each listing.
   */
  readonly subscriptions: readonly string[];
  /** List only this resource group's clusters in every subscription. */
  readonly resourceGroup?: string;
  /** Default: DefaultAzureCredential (environment, workload identity, managed identity, az login). */
  readonly credential?: TokenCredential;
  /** Connect with the cluster admin credentials (local account) instead of the user credentials. */
  readonly admin?: boolean;
  /** Azure Resource Manager base URL (default https://management.azure.com). */
  readonly endpoint?: string;
  /**
   * PEM CA to trust for the endpoint instead of the public roots: a TLS-inspecting proxy, or a
   * local server in tests (the SDK sends bearer tokens over https only, so tests need TLS too).
   */
  readonly endpointCa?: string;
  /** How often run command results are polled (default 5 s). */
  readonly pollIntervalMs?: number;
}

/**
 * The Azure side of a provider: one credential, and one ARM client per subscription. Both SDKs are
 * imported on first use so that commands that never touch Azure start fast.
 */
export class AzureSession {
  readonly #options: AksProviderOptions;
  #credential: Promise<TokenCredential> | undefined;
  readonly #clients = new Map<string, Promise<ContainerServiceClient>>();

  constructor(options: AksProviderOptions) {
    this.#options = options;
  }

  /** The credential for ARM and for Entra ID tokens to the AKS API servers. */
  credential(): Promise<TokenCredential> {
    this.#credential ??= this.#options.credential
      ? Promise.resolve(this.#options.credential)
      : import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
    return this.#credential;
  }

  /**
   * The subscriptions the credential can see (ARM lists those where it has any role). Disabled and
   * deleted ones are returned apart: their clusters cannot be listed.
   */
  async visibleSubscriptions(): Promise<{ usable: string[]; unusable: string[] }> {
    const { SubscriptionClient } = await import('@azure/arm-resources-subscriptions');
    const client = new SubscriptionClient(await this.credential(), this.#clientOptions());
    const usable: string[] = [];
    const unusable: string[] = [];
    for await (const subscription of client.subscriptions.list()) {
      if (!subscription.subscriptionId) continue;
      const state = subscription.state ?? 'Enabled';
      (state === 'Disabled' || state === 'Deleted' ? unusable : usable).push(subscription.subscriptionId);
    }
    return { usable, unusable };
  }

  client(subscription: string): Promise<ContainerServiceClient> {
    let client = this.#clients.get(subscription);
    if (!client) {
      client = this.#create(subscription);
      this.#clients.set(subscription, client);
    }
    return client;
  }

  async #create(subscription: string): Promise<ContainerServiceClient> {
    const { ContainerServiceClient } = await import('@azure/arm-containerservice');
    return new ContainerServiceClient(await this.credential(), subscription, this.#clientOptions());
  }

  #clientOptions() {
    const { endpoint, endpointCa } = this.#options;
    return {
      userAgentOptions: { userAgentPrefix: 'gatehouse' },
      // A sovereign cloud's ARM accepts tokens for its own audience, not management.azure.com's.
      ...(endpoint ? { endpoint, credentials: { scopes: [`${new URL(endpoint).origin}/.default`] } } : {}),
      ...(endpointCa ? { tlsOptions: { ca: endpointCa } } : {}),
    };
  }
}
