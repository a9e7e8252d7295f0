import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import type { AgentRegistry } from '../agent/index.js';
import type { ClusterConnections } from '../clusters/index.js';
import { defaultSessionSettings } from '../config/index.js';
import { AppError, messageOf } from '../errors.js';
import type { WebhookSink } from '../notifications/index.js';
import { usageFromAuditLog } from '../reviews/index.js';
import type { Store } from '../store/index.js';
import { serveAgents } from './agent-forwarding.js';
import { createApp, type SignInSettings } from './app.js';
import { startBackground } from './background.js';

/** What the server needs of the runtime (`openGatehouse`): its store and its cluster connections. */
export interface ServerRuntime {
  store(): Promise<Store>;
  /** `list` feeds the console's Clusters page; without it the page says it has no listing. */
  readonly clusters: Pick<ClusterConnections, 'client' | 'accessEntries'> &
    Partial<Pick<ClusterConnections, 'list'>>;
}

export interface ServeOptions {
  /** The runtime the CLI opened: the server shares its store and its one connection per cluster. */
  readonly gatehouse: ServerRuntime;
  readonly host: string;
  readonly port: number;
  /** Longest wait between reconcile passes; passes also run after each change and at each expiry. */
  readonly intervalMs: number;
  readonly pendingTtlSeconds?: number;
  readonly webhooks: readonly WebhookSink[];
  readonly log: (line: string) => void;
  /**
   * This replica's name for the reconciler lease (default: the host name). Replicas over one
   * database take turns: one runs the reconciler and webhooks, the others serve the API and stand
   * by. A restart under the same name takes the lease back at once.
   */
  readonly replicaId?: string;
  /** Sign-in: the OpenID Provider, the public URL, session lifetimes (see `createApp`). */
  readonly signIn?: SignInSettings;
  /** Where evidence packages are kept (the data directory's evidence folder). */
  readonly evidenceRoot?: string;
  /**
   * In-cluster agents dial in here (`/v1/agents/connect`) and become their cluster's transport;
   * the same registry must be the runtime's (`openGatehouse(config, { agents })`).
   */
  readonly agents?: AgentRegistry;
  /**
   * Where the other replicas reach this one to forward calls for agents connected here (e.g.
   * http://POD_IP:8080). Default: the address it listens on.
   */
  readonly advertiseUrl?: string;
  /** How far before a campaign opened review items look for usage in the ingested audit logs (default 90 days). */
  readonly usageWindowDays?: number;
}

export interface RunningServer {
  readonly url: string;
  /** Whether this replica runs the reconciler now (it holds the lease). */
  leader(): boolean;
  /** Resolves after the first reconcile pass: overdue access is gone by then. */
  readonly firstPass: Promise<void>;
  close(): Promise<void>;
}

/** The database channel on which a replica says that access requests changed. */
export const accessChannel = 'gatehouse_access';

/** Why the API could not listen, and what to do about it. */
function listenError(error: NodeJS.ErrnoException, where: { host: string; port: number }): unknown {
  const address = `${where.host}:${where.port}`;
  if (error.code === 'EADDRINUSE')
    return new AppError('conflict', `${address} is already in use by another process`, {
      fix: 'Stop that process, or pick another address with --listen HOST:PORT',
      cause: error,
    });
  if (error.code === 'EACCES')
    return new AppError('auth.forbidden', `not allowed to listen on ${address}`, {
      fix: 'Use a port above 1023, or grant the process the right to bind low ports',
      cause: error,
    });
  if (error.code === 'EADDRNOTAVAIL')
    return new AppError('input.invalid', `${where.host} is not an address of this machine`, {
      fix: 'Use --listen 127.0.0.1:PORT, 0.0.0.0:PORT or an address of one of its interfaces',
      cause: error,
    });
  return error;
}

/**
 * `gatehouse serve`: the HTTP API, the reconciler (at start, then continuously) and webhook
 * delivery, over one store. Stateless apart from the store, so a restart loses nothing.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { log } = options;
  const store = await options.gatehouse.store();
  const { clusters } = options.gatehouse;
  const clientFor = (cluster: string) => clusters.client(cluster);
  const accessEntriesFor = (cluster: string) => clusters.accessEntries(cluster);
  const replica = options.replicaId ?? hostname();
  // Known once the server listens; messages sent before that carry no link.
  let listeningUrl: string | undefined;
  const background = startBackground({
    store,
    clientFor,
    accessEntriesFor,
    replica,
    intervalMs: options.intervalMs,
    ...(options.pendingTtlSeconds ? { pendingTtlSeconds: options.pendingTtlSeconds } : {}),
    webhooks: options.webhooks,
    consoleUrl: () => options.signIn?.publicUrl ?? listeningUrl,
    log,
  });
  const list = clusters.list?.bind(clusters);
  const app = createApp({
    store,
    clientFor,
    accessEntriesFor,
    ...(list ? { listClusters: list } : {}),
    ...(options.evidenceRoot ? { evidenceRoot: options.evidenceRoot } : {}),
    // Usage from whatever `gatehouse usage ingest` stored: items say unknown, and why, until then.
    usageOf: usageFromAuditLog(
      store,
      options.usageWindowDays !== undefined ? { windowDays: options.usageWindowDays } : {},
    ),
    onChange: (requestId) => {
      // In process for this replica; through the database for the one holding the lease.
      background.requestChanged(requestId);
      store.signals?.notify(accessChannel, requestId).catch((error: unknown) => {
        log(`telling other replicas of a change: ${messageOf(error)}`);
      });
    },
    health: () => background.health(),
    log,
    ...(options.signIn ? { signIn: options.signIn } : {}),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () =>
      resolve(started),
    );
    started.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  listeningUrl = url;
  const agents = options.agents
    ? await serveAgents({
        onUpgrade: (listener) => server.on('upgrade', listener),
        store,
        registry: options.agents,
        sessions: options.signIn?.sessions ?? defaultSessionSettings,
        replica,
        url: options.advertiseUrl ?? url,
        log,
      })
    : undefined;
  const unlisten = await store.signals
    ?.listen(accessChannel, (requestId) => background.requestChanged(requestId || undefined))
    .catch((error: unknown) => {
      log(
        `not listening for changes made by other replicas (they wait for the next pass): ${messageOf(error)}`,
      );
      return undefined;
    });
  background.start();
  return {
    url,
    firstPass: background.firstPass,
    leader: () => background.leader(),
    close: async () => {
      agents?.close();
      await unlisten?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background.stop();
    },
  };
}
