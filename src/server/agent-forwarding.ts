import {
  type AgentRegistry,
  announceReplica,
  dialRelay,
  type Relay,
  renewReplica,
  replicaHolding,
} from '../agent/index.js';
import type { SessionSettings } from '../config/index.js';
import { messageOf } from '../errors.js';
import type { KubeTransport } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { agentUpgrades } from './agent-sockets.js';

/**
 * The agent side of `gatehouse serve`: the WebSocket doors on the HTTP server, forwarding to
 * other replicas, and the renewal of this replica's announcement. `close` lets the agents go
 * (they reconnect to another replica, or to this one once it is back).
 */
export async function serveAgents(options: {
  /** Adds a listener for the HTTP server's `upgrade` event. */
  readonly onUpgrade: (listener: ReturnType<typeof agentUpgrades>) => void;
  readonly store: Store;
  readonly registry: AgentRegistry;
  readonly sessions: SessionSettings;
  readonly replica: string;
  readonly url: string;
  readonly log: (line: string) => void;
}): Promise<{ close(): void }> {
  const { store, registry, replica, log } = options;
  options.onUpgrade(agentUpgrades({ store, registry, sessions: options.sessions, replica, log }));
  const forwarding = await forwardAgentCalls({ store, registry, replica, url: options.url });
  let failing = false;
  const renewal = setInterval(() => {
    forwarding.renew().then(
      () => {
        failing = false;
      },
      (error: unknown) => {
        if (!failing) log(`announcing this replica to the others: ${messageOf(error)}`);
        failing = true;
      },
    );
  }, registry.heartbeatMs);
  return {
    close: () => {
      clearInterval(renewal);
      forwarding.close();
      for (const session of registry.sessions) session.socket.close(1001, 'the server is stopping');
    },
  };
}

/**
 * Lets this replica reach agents connected to another one: it announces where it can be reached,
 * and a call for an agent it does not hold goes through a relay to the replica that does
 * (authenticated with this replica's secret). One relay per agent, opened again once it closes.
 * Returns what renews the announcement and what closes the relays.
 */
export async function forwardAgentCalls(options: {
  readonly store: Store;
  readonly registry: AgentRegistry;
  readonly replica: string;
  /** Where the other replicas reach this one (its pod address). */
  readonly url: string;
}): Promise<{ renew(): Promise<void>; close(): void }> {
  const { store, registry, replica } = options;
  const { secret } = await announceReplica(store, { replica, url: options.url });
  const relays = new Map<string, Promise<Relay>>();
  registry.forwardWith(async (name): Promise<KubeTransport | undefined> => {
    const holder = await replicaHolding(store, { agent: name, self: replica });
    if (!holder) return undefined;
    const key = `${name} ${holder.url}`;
    const open = await relays.get(key)?.catch(() => undefined);
    if (open && !open.transport.closed) return open.transport;
    const relay = dialRelay({ server: holder.url, token: secret, cluster: `agent/${name}`, env: {} });
    relays.set(key, relay);
    relay.catch(() => relays.delete(key));
    return (await relay).transport;
  });
  return {
    renew: () => renewReplica(store, replica),
    close: () => {
      for (const relay of relays.values())
        relay.then(
          (open) => open.close(),
          () => undefined,
        );
      relays.clear();
    },
  };
}
