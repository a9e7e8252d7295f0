import { agentCluster, isAgentCluster, listAgents } from '../agent/index.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { clientNode, KubeClient, type KubeTransport } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { connectClient } from './probe.js';
import { KubeconfigProvider } from './providers/kubeconfig/index.js';
import {
  findProviderCluster,
  isProviderClusterName,
  listProviderClusters,
  type ResolvedCluster,
} from './registry.js';
import { RunCommandTransport } from './run-command-transport.js';
import type { ClusterListing, ClusterProvider, ClusterRef, EksAccessEntriesPort } from './types.js';

/**
 * How Gatehouse reaches a cluster's API server: over HTTPS from this machine, through the
 * cloud's run command for a private cluster out of network reach, or through the cluster's own
 * agent, which dials out to the server (`agent/<name>`).
 */
export type ClusterTransportKind = 'direct' | 'run-command' | 'agent';

export interface ClusterConnectionsOptions {
  /** `--kubeconfig`; else KUBECONFIG or ~/.kube/config, as kubectl reads them. */
  readonly kubeconfig: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** The store that holds the cloud accounts; asked for only when a cloud cluster is named. */
  readonly store: () => Promise<Store>;
  /** Told when a cluster is reached the slow way (run command). */
  readonly note?: (line: string) => void;
  /**
   * How a cluster named `agent/<name>` is reached: the server's registry of connected agents, or
   * the CLI's relay through the server they connect to. Absent, such names are refused.
   */
  readonly agents?: (cluster: string) => Promise<KubeTransport>;
}

type CloudListing = Awaited<ReturnType<typeof listProviderClusters>>;

/**
 * One cached connection per cluster name, shared by every command and by the server: a cloud
 * cluster through its registered account (listed once, not once per cluster or per pass), any
 * other name as a kubeconfig context. Clients are kept, so cloud tokens are renewed, not re-minted;
 * a failure is not kept, so the next call tries again.
 *
 * @example
 * const clusters = new ClusterConnections({ kubeconfig: undefined, env: process.env, store: () => openStore({ dataDir }) });
 * const client = await clusters.client('eks/123456789012/eu-west-1/prod');
 */
export class ClusterConnections {
  readonly #options: ClusterConnectionsOptions;
  readonly #clients = new Map<string, Promise<KubeClient>>();
  readonly #accessEntries = new Map<string, Promise<EksAccessEntriesPort | undefined>>();
  #cloud: Promise<CloudListing> | undefined;

  constructor(options: ClusterConnectionsOptions) {
    this.#options = options;
  }

  /** The provider and reference of a cluster name; cloud accounts are listed once per runtime. */
  async resolve(name: string): Promise<ResolvedCluster> {
    if (!isProviderClusterName(name)) {
      const provider = new KubeconfigProvider({ path: this.#options.kubeconfig, env: this.#options.env });
      return { provider, ref: { name, provider: provider.kind, server: '', current: false } };
    }
    this.#cloud ??= this.#options.store().then(listProviderClusters);
    const listing = this.#cloud;
    try {
      return findProviderCluster(await listing, name);
    } catch (error) {
      // An account added since, or one that failed to list, is looked at again next time.
      if (this.#cloud === listing) this.#cloud = undefined;
      throw error;
    }
  }

  /**
   * Every cluster Gatehouse can name: the kubeconfig's contexts, then the registered cloud
   * accounts' clusters (the runtime's one listing); a source that fails is an error entry.
   */
  async list(): Promise<ClusterListing> {
    const kubeconfig = new KubeconfigProvider({ path: this.#options.kubeconfig, env: this.#options.env });
    this.#cloud ??= this.#options.store().then(listProviderClusters);
    const cloud = this.#cloud;
    const [local, remote, agents] = await Promise.allSettled([
      kubeconfig.listClusters(),
      cloud,
      this.#options.store().then(listAgents),
    ]);
    if (remote.status === 'rejected' && this.#cloud === cloud) this.#cloud = undefined;
    const failed = (source: string, reason: unknown) => [{ source, message: describeError(reason) }];
    return {
      clusters: [
        ...(local.status === 'fulfilled' ? local.value.clusters : []),
        ...(remote.status === 'fulfilled' ? remote.value.clusters : []),
        ...(agents.status === 'fulfilled'
          ? agents.value
              .filter((agent) => !agent.revokedAt)
              .map((agent) => ({
                name: agentCluster(agent.name),
                provider: 'agent',
                server: 'agent tunnel',
                current: false,
              }))
          : []),
      ],
      errors: [
        ...(local.status === 'fulfilled' ? local.value.errors : failed('kubeconfig', local.reason)),
        ...(remote.status === 'fulfilled' ? remote.value.errors : failed('cloud accounts', remote.reason)),
        ...(agents.status === 'fulfilled' ? [] : failed('agents', agents.reason)),
      ],
    };
  }

  client(name: string): Promise<KubeClient> {
    if (isAgentCluster(name)) return cached(this.#clients, name, () => this.#agentClient(name));
    return cached(this.#clients, name, async () => {
      const { provider, ref } = await this.resolve(name);
      return await reachCluster(provider, ref, this.#options.note ?? (() => undefined));
    });
  }

  async #agentClient(name: string): Promise<KubeClient> {
    if (!this.#options.agents)
      throw new AppError(
        'context.unknown',
        `${name} is a cluster reached through its agent, which connects to a Gatehouse server`,
        {
          fix: 'Set GATEHOUSE_SERVER to that server and sign in (`gatehouse login`) or export GATEHOUSE_TOKEN',
        },
      );
    const ref: ClusterRef = {
      name,
      provider: 'agent',
      server: `agent://${name.slice('agent/'.length)}`,
      current: false,
    };
    return tunnelClient(ref, await this.#options.agents(name));
  }

  accessEntries(name: string): Promise<EksAccessEntriesPort | undefined> {
    return cached(this.#accessEntries, name, async () => {
      const { provider, ref } = await this.resolve(name);
      return provider.accessEntries?.(ref);
    });
  }
}

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = make();
    value.catch(() => map.delete(key));
    map.set(key, value);
  }
  return value;
}

/**
 * Connects directly when this machine reaches the API server. When it cannot and the provider
 * has run command (a private AKS cluster seen from outside its network), every call goes through
 * run command instead, and `note` is told it will be slower.
 */
export async function reachCluster(
  provider: ClusterProvider,
  ref: ClusterRef,
  note: (line: string) => void,
): Promise<KubeClient> {
  try {
    return await connectClient(provider, ref);
  } catch (error) {
    if (!provider.runCommand || !(isAppError(error) && error.code === 'cluster.unreachable')) throw error;
    note(
      `note: the API server of ${ref.name} is private and out of reach from here; going through AKS run command (a pod in namespace aks-command, tens of seconds per call)`,
    );
    return runCommandClient(ref, new RunCommandTransport(provider.runCommand(ref)));
  }
}

function runCommandClient(ref: ClusterRef, transport: RunCommandTransport): KubeClient {
  return tunnelClient(ref, transport);
}

/** A client whose every call goes through `transport`, never over HTTPS from here. */
function tunnelClient(ref: ClusterRef, transport: KubeTransport): KubeClient {
  const config = new (clientNode().KubeConfig)();
  config.loadFromOptions({
    clusters: [{ name: ref.name, server: ref.server, skipTLSVerify: false }],
    users: [{ name: ref.name }],
    contexts: [{ name: ref.name, cluster: ref.name, user: ref.name }],
    currentContext: ref.name,
  });
  return new KubeClient(config, { transport });
}
