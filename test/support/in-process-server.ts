import type { KubeClient } from '../../src/kube/index.js';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/index.js';
import type { Store } from '../../src/store/index.js';

/**
 * `gatehouse serve` in this process over a store, reaching every cluster with one client (the
 * test cluster's admin), on a free loopback port, reconciling every second, quiet. Options
 * override any of that (sign-in, interval, replica id).
 */
export function serverOver(
  store: Store,
  client: KubeClient,
  options: Partial<Omit<ServeOptions, 'gatehouse'>> = {},
): Promise<RunningServer> {
  return startServer({
    gatehouse: {
      store: async () => store,
      clusters: { client: async () => client, accessEntries: async () => undefined },
    },
    host: '127.0.0.1',
    port: 0,
    intervalMs: 1000,
    webhooks: [],
    log: () => undefined,
    ...options,
  });
}
