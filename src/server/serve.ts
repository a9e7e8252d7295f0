import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { reconcile } from '../access/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { isAppError, messageOf } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import { deliver, sinkLabel, type WebhookSink } from '../notifications/index.js';
import type { Store } from '../store/index.js';
import { createApp } from './app.js';
import { PassLoop } from './loop.js';

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

export interface ServeOptions {
  readonly store: Store;
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  readonly host: string;
  readonly port: number;
  /** Longest wait between reconcile passes; passes also run after each change and at each expiry. */
  readonly intervalMs: number;
  readonly pendingTtlSeconds?: number;
  readonly webhooks: readonly WebhookSink[];
  readonly log: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  /** Resolves after the first reconcile pass: overdue access is gone by then. */
  readonly firstPass: Promise<void>;
  close(): Promise<void>;
}

/** Logs a line only when it differs from the last one, so a failing cluster does not flood the log. */
function onChangeLogger(log: (line: string) => void): (key: string, line: string | undefined) => void {
  const last = new Map<string, string | undefined>();
  return (key, line) => {
    if (last.get(key) === line) return;
    last.set(key, line);
    if (line) log(line);
  };
}

/**
 * `gatehouse serve`: the HTTP API, the reconciler (at start, then continuously) and webhook
 * delivery, over one store. Stateless apart from the store, so a restart loses nothing.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { store, log } = options;
  const logOnChange = onChangeLogger(log);
  let lastPass: { at: string; errors: number } | undefined;
  const { promise: firstPass, resolve: resolveFirst } = withResolvers();
  const reconciler = new PassLoop(async () => {
    try {
      const report = await reconcile({
        store,
        clientFor: options.clientFor,
        ...(options.accessEntriesFor ? { accessEntriesFor: options.accessEntriesFor } : {}),
        ...(options.pendingTtlSeconds ? { pendingTtlSeconds: options.pendingTtlSeconds } : {}),
      });
      lastPass = { at: new Date().toISOString(), errors: report.errors.length };
      for (const id of report.expired) log(`expired ${id}`);
      for (const id of report.activated) log(`activated ${id}`);
      for (const name of report.removed) log(`removed ${name}`);
      logOnChange(
        'reconcile',
        report.errors.map((error) => `reconcile: ${error.cluster}: ${error.message}`).join('\n') || undefined,
      );
      notifier.kick();
      return report.nextExpiresAt ? new Date(report.nextExpiresAt) : undefined;
    } catch (error) {
      logOnChange(
        'reconcile',
        `reconcile failed: ${isAppError(error) ? error.describe() : messageOf(error)}`,
      );
      return undefined;
    } finally {
      resolveFirst();
    }
  }, options.intervalMs);
  const notifier = new PassLoop(
    async () => {
      for (const sink of options.webhooks) {
        const report = await deliver(store, sink).catch((error: unknown) => ({
          delivered: 0,
          error: messageOf(error),
        }));
        logOnChange(`webhook:${sinkLabel(sink)}`, report.error ? `webhook ${report.error}` : undefined);
      }
      return undefined;
    },
    Math.max(options.intervalMs, 2000),
  );
  const app = createApp({
    store,
    clientFor: options.clientFor,
    onChange: () => reconciler.kick(),
    health: () => ({ lastReconcile: lastPass ?? null }),
    log,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () =>
      resolve(started),
    );
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  reconciler.kick();
  if (options.webhooks.length > 0) notifier.kick();
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    firstPass,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reconciler.stop();
      await notifier.stop();
    },
  };
}
