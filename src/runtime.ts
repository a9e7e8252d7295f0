import { type AgentRegistry, dialRelay, type Relay } from './agent/index.js';
import { ClusterConnections } from './clusters/index.js';
import { currentClusterName, type GatehouseConfig } from './config/index.js';
import type { Store } from './store/index.js';

export interface GatehouseOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Told, one line each, what had to be repaired or chosen: loose file modes, a cluster reached through run command. */
  readonly notice?: (line: string) => void;
  /** The server's connected agents: clusters `agent/<name>` go through them. */
  readonly agents?: AgentRegistry;
  /**
   * Elsewhere (the CLI), clusters `agent/<name>` go through the server in `config.server`, signed
   * in with this token (GATEHOUSE_TOKEN or the one `gatehouse login` kept).
   */
  readonly serverToken?: () => string | undefined;
}

/**
 * Gatehouse as the CLI, the server and the console share it: one store, one cached connection per
 * cluster, the settings they came from. Capabilities take what they need from here.
 */
export interface Gatehouse {
  readonly config: GatehouseConfig;
  /** The store, opened on first use and then shared; commands that never need it never load it. */
  store(): Promise<Store>;
  readonly clusters: ClusterConnections;
  /** The cluster meant when none is named: `context` in the config, else the kubeconfig's current one. */
  currentCluster(): string;
  /** Closes what was opened. */
  close(): Promise<void>;
}

/**
 * Opens Gatehouse on a configuration (`loadConfig`, with the CLI's flags laid over it). Nothing
 * is opened yet: the store on first use, each cluster on first use.
 *
 * @example
 * const gatehouse = openGatehouse(loadConfig(process.env));
 * const client = await gatehouse.clusters.client(gatehouse.currentCluster());
 * await gatehouse.close();
 */
export function openGatehouse(config: GatehouseConfig, options: GatehouseOptions = {}): Gatehouse {
  const env = options.env ?? process.env;
  const notice = options.notice ?? (() => undefined);
  const relays: Promise<Relay>[] = [];
  let opened: Promise<Store> | undefined;
  const store = (): Promise<Store> => {
    opened ??= openConfiguredStore(config, notice);
    return opened;
  };
  return {
    config,
    store,
    clusters: new ClusterConnections({
      kubeconfig: config.kubeconfig,
      env,
      store,
      note: notice,
      ...agentRoute(config, options, relays),
    }),
    currentCluster: () => currentClusterName({ context: config.context, kubeconfig: config.kubeconfig, env }),
    close: async () => {
      for (const relay of relays.splice(0)) (await relay.catch(() => undefined))?.close();
      const open = opened;
      opened = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
  };
}

/** How this runtime reaches agent clusters: the server's own registry, else a relay through the server. */
function agentRoute(
  config: GatehouseConfig,
  options: GatehouseOptions,
  relays: Promise<Relay>[],
): { agents?: ConstructorParameters<typeof ClusterConnections>[0]['agents'] } {
  const { agents } = options;
  if (agents) return { agents: async (cluster) => agents.transport(cluster.slice('agent/'.length)) };
  const server = config.server;
  if (!server) return {};
  return {
    agents: async (cluster) => {
      const relay = dialRelay({
        server,
        token: options.serverToken?.(),
        cluster,
        env: options.env ?? process.env,
      });
      relays.push(relay);
      return (await relay).transport;
    },
  };
}

async function openConfiguredStore(config: GatehouseConfig, notice: (line: string) => void): Promise<Store> {
  // Loaded here, not at the top: commands that never open the store (offline queries, --help)
  // do not load kysely, pg and better-sqlite3.
  const { openStore } = await import('./store/index.js');
  const store = await openStore({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    auditKeyFile: config.auditKeyFile,
  });
  for (const line of store.notices) notice(`warning: ${line}`);
  return store;
}
