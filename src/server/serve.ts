import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import { expireDue, getRequest, grantNow, KeyedLock, reconcile } from '../access/index.js';
import type { AgentRegistry } from '../agent/index.js';
import type { ClusterConnections } from '../clusters/index.js';
import { defaultSessionSettings } from '../config/index.js';
import { AppError, describeError, messageOf } from '../errors.js';
import { deliver, sinkLabel, type WebhookSink } from '../notifications/index.js';
import { runReviewDeadlines, usageFromAuditLog } from '../reviews/index.js';
import type { Store } from '../store/index.js';
import { serveAgents } from './agent-forwarding.js';
import { createApp, type SignInSettings } from './app.js';
import { Lease } from './lease.js';
import { PassLoop } from './loop.js';

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

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

/** Logs a line only when it differs from the last one, so a failing cluster does not flood the log. */
function onChangeLogger(log: (line: string) => void): (key: string, line: string | undefined) => void {
  const last = new Map<string, string | undefined>();
  return (key, line) => {
    if (last.get(key) === line) return;
    last.set(key, line);
    if (line) log(line);
  };
}

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
  const logOnChange = onChangeLogger(log);
  let lastPass: { at: string; errors: number } | undefined;
  const { promise: firstPass, resolve: resolveFirst } = withResolvers();
  const replica = options.replicaId ?? hostname();
  // Lapses only when the holder stops renewing (dead or cut off from the store): a heartbeat renews it.
  // Short, so a replacement under a new name (a rescheduled pod) takes over within 5 s of start.
  const leaseTtlMs = Math.max(4000, 4 * options.intervalMs);
  const lease = new Lease(store, { name: 'reconciler', holder: replica, ttlMs: leaseTtlMs });
  const takeLease = async (): Promise<boolean> => {
    const held = await lease.acquire();
    logOnChange(
      'lease',
      held
        ? `replica ${replica} runs the reconciler and webhook delivery`
        : `replica ${replica} stands by: ${(await lease.holder()) ?? 'another replica'} runs the reconciler`,
    );
    return held;
  };
  const locks = new KeyedLock();
  const reconcileOptions = {
    store,
    clientFor,
    accessEntriesFor,
    locks,
    ...(options.pendingTtlSeconds ? { pendingTtlSeconds: options.pendingTtlSeconds } : {}),
  };
  // An approval is granted at once by the replica holding the lease (the pass would take up to
  // its own length to come round); any other change wakes the pass.
  const onRequestChange = (requestId: string | undefined): void => {
    if (!requestId || !lease.held()) {
      reconciler.kick();
      return;
    }
    grantNow({ ...reconcileOptions, requestId }).then(
      async (outcome) => {
        if (outcome.kind !== 'granted') {
          reconciler.kick();
          return;
        }
        log(`activated ${requestId}`);
        notifier.kick();
        const { expiresAt } = await getRequest(store, requestId);
        if (expiresAt) expiries.wakeAt(new Date(expiresAt));
      },
      (error: unknown) => {
        logOnChange(
          'grant-now',
          `granting ${requestId} at once failed (the next pass retries): ${describeError(error)}`,
        );
        reconciler.kick();
      },
    );
  };
  const reconciler = new PassLoop(async () => {
    try {
      if (!(await takeLease())) return undefined;
      const report = await reconcile(reconcileOptions);
      lastPass = { at: new Date().toISOString(), errors: report.errors.length };
      for (const id of report.expired) log(`expired ${id}`);
      for (const id of report.activated) log(`activated ${id}`);
      for (const name of report.removed) log(`removed ${name}`);
      logOnChange(
        'reconcile',
        report.errors.map((error) => `reconcile: ${error.cluster}: ${error.message}`).join('\n') || undefined,
      );
      notifier.kick();
      // Expiries are the expiry loop's: it ends access at its instant and then wakes this pass.
      if (report.nextExpiresAt) expiries.wakeAt(new Date(report.nextExpiresAt));
      return undefined;
    } catch (error) {
      logOnChange('reconcile', `reconcile failed: ${describeError(error)}`);
      return undefined;
    } finally {
      resolveFirst();
    }
  }, options.intervalMs);
  const expiries = new PassLoop(async () => {
    try {
      if (!lease.held()) return undefined;
      const report = await expireDue(reconcileOptions);
      for (const id of report.expired) log(`expired ${id}`);
      for (const name of report.removed) log(`removed ${name}`);
      for (const error of report.errors) logOnChange('expiry', `expiry: ${error.cluster}: ${error.message}`);
      // The pass removes what this path leaves (credentials, aws-auth, access entries) and notifies.
      if (report.expired.length > 0) reconciler.kick();
      return report.nextExpiresAt ? new Date(report.nextExpiresAt) : undefined;
    } catch (error) {
      logOnChange('expiry', `ending expired access failed (the next pass retries): ${describeError(error)}`);
      return undefined;
    }
  }, options.intervalMs);
  // Known once the server listens; messages sent before that carry no link.
  let listeningUrl: string | undefined;
  const notifier = new PassLoop(
    async () => {
      if (!lease.held()) return undefined;
      for (const sink of options.webhooks) {
        const consoleUrl = options.signIn?.publicUrl ?? listeningUrl;
        const report = await deliver(store, sink, { consoleUrl }).catch((error: unknown) => ({
          delivered: 0,
          error: messageOf(error),
        }));
        logOnChange(`webhook:${sinkLabel(sink)}`, report.error ? `webhook ${report.error}` : undefined);
      }
      return undefined;
    },
    Math.max(options.intervalMs, 2000),
  );
  // Access reviews: reminders at their offsets and default actions at deadlines, by the lease holder.
  const reviews = new PassLoop(
    async () => {
      if (!lease.held()) return undefined;
      try {
        const report = await runReviewDeadlines(store, { clusters: { clientFor, accessEntriesFor } });
        for (const id of report.opened)
          log(`review ${id.slice(0, 8)}: the next run of a recurring campaign opened`);
        for (const { campaign, dueAt } of report.skipped)
          log(`review ${campaign.slice(0, 8)}: the run due ${dueAt} was skipped, nothing to review in scope`);
        for (const acted of report.acted)
          log(
            `review ${acted.campaign.slice(0, 8)}: deadline passed, ${acted.action} on ${acted.items} items`,
          );
        logOnChange(
          'reviews',
          report.errors.map((error) => `review ${error.campaign.slice(0, 8)}: ${error.message}`).join('\n') ||
            undefined,
        );
        if (report.reminded.length + report.acted.length + report.opened.length > 0) notifier.kick();
        return report.nextDueAt ? new Date(report.nextDueAt) : undefined;
      } catch (error) {
        logOnChange('reviews', `review deadlines failed (the next pass retries): ${describeError(error)}`);
        return undefined;
      }
    },
    Math.max(options.intervalMs, 1000),
  );
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
      onRequestChange(requestId);
      store.signals?.notify(accessChannel, requestId).catch((error: unknown) => {
        logOnChange('signal', `telling other replicas of a change: ${messageOf(error)}`);
      });
    },
    health: () => ({
      replica,
      reconciler: lease.held() ? 'running' : 'standby',
      lastReconcile: lastPass ?? null,
    }),
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
    ?.listen(accessChannel, (requestId) => onRequestChange(requestId || undefined))
    .catch((error: unknown) => {
      log(
        `not listening for changes made by other replicas (they wait for the next pass): ${messageOf(error)}`,
      );
      return undefined;
    });
  reconciler.kick();
  reviews.kick();
  if (options.webhooks.length > 0) notifier.kick();
  // Renews the lease even while a long pass runs; started only once the API listens.
  const heartbeat = setInterval(
    () => {
      const was = lease.held();
      takeLease().then(
        (held) => {
          if (held && !was) reconciler.kick();
        },
        (error: unknown) => logOnChange('lease', `reconciler lease: ${messageOf(error)}`),
      );
    },
    Math.max(1000, Math.floor(leaseTtlMs / 4)),
  );
  return {
    url,
    firstPass,
    leader: () => lease.held(),
    close: async () => {
      clearInterval(heartbeat);
      agents?.close();
      await unlisten?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await expiries.stop();
      await reconciler.stop();
      await notifier.stop();
      await reviews.stop();
      // Another replica takes over at once instead of after the lease's TTL.
      await lease.release().catch(() => undefined);
    },
  };
}
