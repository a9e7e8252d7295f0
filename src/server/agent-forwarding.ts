import {
  type AgentRegistry,
  announceReplica,
  dialRelay,
  type Relay,
  renewReplica,
  replicaHolding,
} from '../agent/index.js';
import type { KubeTransport } from '../kube/index.js';
import type { Store } from '../store/index.js';

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
