import { expireDue, getRequest, grantNow, KeyedLock, reconcile } from '../access/index.js';
import { describeError, messageOf } from '../errors.js';
import { deliver, sinkLabel, type WebhookSink } from '../notifications/index.js';
import { runReviewDeadlines } from '../reviews/index.js';
import type { Store } from '../store/index.js';
import { Lease } from './lease.js';
import { PassLoop } from './loop.js';

type ReconcileOptions = Parameters<typeof reconcile>[0];

export interface BackgroundOptions {
  readonly store: Store;
  readonly clientFor: ReconcileOptions['clientFor'];
  readonly accessEntriesFor: ReconcileOptions['accessEntriesFor'];
  readonly replica: string;
  readonly intervalMs: number;
  readonly pendingTtlSeconds?: number;
  readonly webhooks: readonly WebhookSink[];
  /** Where messages link to (the public URL, or where the server listens once it does). */
  readonly consoleUrl: () => string | undefined;
  readonly log: (line: string) => void;
}

/**
 * The server's work besides answering requests, done only by the replica holding the lease:
 * reconcile passes, ending access at its instant, webhook delivery, review deadlines.
 */
export interface Background {
  /** Resolves after the first reconcile pass: overdue access is gone by then. */
  readonly firstPass: Promise<void>;
  /** An access request changed here or on another replica: grant it at once, or wake the pass. */
  requestChanged(requestId: string | undefined): void;
  leader(): boolean;
  health(): { replica: string; reconciler: 'running' | 'standby'; lastReconcile: LastPass | null };
  /** Starts the passes and the lease heartbeat (once the API listens). */
  start(): void;
  /** Stops every pass and hands the lease over at once. */
  stop(): Promise<void>;
}

interface LastPass {
  readonly at: string;
  readonly errors: number;
}

/** What the passes share: the options, the lease, each other, a log that does not repeat itself. */
interface Shared extends BackgroundOptions {
  readonly lease: Lease;
  readonly logOnChange: (key: string, line: string | undefined) => void;
  readonly reconcileOptions: ReconcileOptions & { readonly locks: KeyedLock };
  loops: Loops;
}

interface Loops {
  readonly reconciler: PassLoop;
  readonly expiries: PassLoop;
  readonly notifier: PassLoop;
  readonly reviews: PassLoop;
}

export function startBackground(options: BackgroundOptions): Background {
  const { store, replica } = options;
  // Lapses only when the holder stops renewing (dead or cut off from the store): a heartbeat renews it.
  // Short, so a replacement under a new name (a rescheduled pod) takes over within 5 s of start.
  const leaseTtlMs = Math.max(4000, 4 * options.intervalMs);
  const shared: Shared = {
    ...options,
    lease: new Lease(store, { name: 'reconciler', holder: replica, ttlMs: leaseTtlMs }),
    logOnChange: onChangeLogger(options.log),
    reconcileOptions: {
      store,
      clientFor: options.clientFor,
      accessEntriesFor: options.accessEntriesFor,
      locks: new KeyedLock(),
      ...(options.pendingTtlSeconds ? { pendingTtlSeconds: options.pendingTtlSeconds } : {}),
    },
    loops: undefined as unknown as Loops,
  };
  let lastPass: LastPass | undefined;
  let resolveFirst = (): void => undefined;
  const firstPass = new Promise<void>((resolve) => {
    resolveFirst = resolve;
  });
  shared.loops = {
    reconciler: new PassLoop(async () => {
      try {
        lastPass = (await reconcilePass(shared)) ?? lastPass;
      } finally {
        resolveFirst();
      }
      return undefined;
    }, options.intervalMs),
    expiries: new PassLoop(() => expiryPass(shared), options.intervalMs),
    notifier: new PassLoop(() => deliveryPass(shared), Math.max(options.intervalMs, 2000)),
    reviews: new PassLoop(() => reviewPass(shared), Math.max(options.intervalMs, 1000)),
  };
  let heartbeat: NodeJS.Timeout | undefined;
  return {
    firstPass,
    requestChanged: (requestId) => requestChanged(shared, requestId),
    leader: () => shared.lease.held(),
    health: () => ({
      replica,
      reconciler: shared.lease.held() ? 'running' : 'standby',
      lastReconcile: lastPass ?? null,
    }),
    start: () => {
      shared.loops.reconciler.kick();
      shared.loops.reviews.kick();
      if (options.webhooks.length > 0) shared.loops.notifier.kick();
      // Renews the lease even while a long pass runs.
      heartbeat = setInterval(() => renewLease(shared), Math.max(1000, Math.floor(leaseTtlMs / 4)));
    },
    stop: async () => {
      clearInterval(heartbeat);
      const { reconciler, expiries, notifier, reviews } = shared.loops;
      await expiries.stop();
      await reconciler.stop();
      await notifier.stop();
      await reviews.stop();
      // Another replica takes over at once instead of after the lease's TTL.
      await shared.lease.release().catch(() => undefined);
    },
  };
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

async function takeLease(shared: Shared): Promise<boolean> {
  const { lease, replica } = shared;
  const held = await lease.acquire();
  shared.logOnChange(
    'lease',
    held
      ? `replica ${replica} runs the reconciler and webhook delivery`
      : `replica ${replica} stands by: ${(await lease.holder()) ?? 'another replica'} runs the reconciler`,
  );
  return held;
}

function renewLease(shared: Shared): void {
  const was = shared.lease.held();
  takeLease(shared).then(
    (held) => {
      if (held && !was) shared.loops.reconciler.kick();
    },
    (error: unknown) => shared.logOnChange('lease', `reconciler lease: ${messageOf(error)}`),
  );
}

/**
 * An approval is granted at once by the replica holding the lease (the pass would take up to its
 * own length to come round); any other change wakes the pass.
 */
function requestChanged(shared: Shared, requestId: string | undefined): void {
  const { reconciler, notifier, expiries } = shared.loops;
  if (!requestId || !shared.lease.held()) {
    reconciler.kick();
    return;
  }
  grantNow({ ...shared.reconcileOptions, requestId }).then(
    async (outcome) => {
      if (outcome.kind !== 'granted') {
        reconciler.kick();
        return;
      }
      shared.log(`activated ${requestId}`);
      notifier.kick();
      const { expiresAt } = await getRequest(shared.store, requestId);
      if (expiresAt) expiries.wakeAt(new Date(expiresAt));
    },
    (error: unknown) => {
      shared.logOnChange(
        'grant-now',
        `granting ${requestId} at once failed (the next pass retries): ${describeError(error)}`,
      );
      reconciler.kick();
    },
  );
}

async function reconcilePass(shared: Shared): Promise<LastPass | undefined> {
  const { log, logOnChange, loops } = shared;
  try {
    if (!(await takeLease(shared))) return undefined;
    const report = await reconcile(shared.reconcileOptions);
    for (const id of report.expired) log(`expired ${id}`);
    for (const id of report.activated) log(`activated ${id}`);
    for (const name of report.removed) log(`removed ${name}`);
    logOnChange(
      'reconcile',
      report.errors.map((error) => `reconcile: ${error.cluster}: ${error.message}`).join('\n') || undefined,
    );
    loops.notifier.kick();
    // Expiries are the expiry loop's: it ends access at its instant and then wakes this pass.
    if (report.nextExpiresAt) loops.expiries.wakeAt(new Date(report.nextExpiresAt));
    return { at: new Date().toISOString(), errors: report.errors.length };
  } catch (error) {
    logOnChange('reconcile', `reconcile failed: ${describeError(error)}`);
    return undefined;
  }
}

async function expiryPass(shared: Shared): Promise<Date | undefined> {
  const { log, logOnChange } = shared;
  try {
    if (!shared.lease.held()) return undefined;
    const report = await expireDue(shared.reconcileOptions);
    for (const id of report.expired) log(`expired ${id}`);
    for (const name of report.removed) log(`removed ${name}`);
    for (const error of report.errors) logOnChange('expiry', `expiry: ${error.cluster}: ${error.message}`);
    // The pass removes what this path leaves (credentials, aws-auth, access entries) and notifies.
    if (report.expired.length > 0) shared.loops.reconciler.kick();
    return report.nextExpiresAt ? new Date(report.nextExpiresAt) : undefined;
  } catch (error) {
    logOnChange('expiry', `ending expired access failed (the next pass retries): ${describeError(error)}`);
    return undefined;
  }
}

async function deliveryPass(shared: Shared): Promise<undefined> {
  if (!shared.lease.held()) return undefined;
  for (const sink of shared.webhooks) {
    const report = await deliver(shared.store, sink, { consoleUrl: shared.consoleUrl() }).catch(
      (error: unknown) => ({ delivered: 0, error: messageOf(error) }),
    );
    shared.logOnChange(`webhook:${sinkLabel(sink)}`, report.error ? `webhook ${report.error}` : undefined);
  }
  return undefined;
}

/** Access reviews: reminders at their offsets and default actions at deadlines. */
async function reviewPass(shared: Shared): Promise<Date | undefined> {
  const { log, logOnChange } = shared;
  if (!shared.lease.held()) return undefined;
  try {
    const report = await runReviewDeadlines(shared.store, {
      clusters: { clientFor: shared.clientFor, accessEntriesFor: shared.accessEntriesFor },
    });
    for (const id of report.opened)
      log(`review ${id.slice(0, 8)}: the next run of a recurring campaign opened`);
    for (const { campaign, dueAt } of report.skipped)
      log(`review ${campaign.slice(0, 8)}: the run due ${dueAt} was skipped, nothing to review in scope`);
    for (const acted of report.acted)
      log(`review ${acted.campaign.slice(0, 8)}: deadline passed, ${acted.action} on ${acted.items} items`);
    logOnChange(
      'reviews',
      report.errors.map((error) => `review ${error.campaign.slice(0, 8)}: ${error.message}`).join('\n') ||
        undefined,
    );
    if (report.reminded.length + report.acted.length + report.opened.length > 0) shared.loops.notifier.kick();
    return report.nextDueAt ? new Date(report.nextDueAt) : undefined;
  } catch (error) {
    logOnChange('reviews', `review deadlines failed (the next pass retries): ${describeError(error)}`);
    return undefined;
  }
}
