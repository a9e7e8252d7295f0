import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isAppError, messageOf } from '../errors.js';
import {
  type Acquisition,
  acquireAudited,
  createJob,
  defaultProfile,
  findIndicators,
  finishJob,
  type IndicatorSeverity,
  type Job,
  type JobLimits,
  type JobRow,
  type MethodName,
  openPackage,
  renewJobs,
  staleAfterMs,
  targetLabel,
  verifiedView,
  writeRow,
} from '../forensics/index.js';
import type { Principal } from '../identity/index.js';
import type { KubeClient } from '../kube/index.js';
import { mapLimit } from '../map-limit.js';
import type { Store } from '../store/index.js';
import { version } from '../version.js';
import { countBySeverity, packageRoot, verifyWithAnchors } from './evidence-data.js';

/** How many containers one job acquires at once (the CLI's default for -l). */
const concurrency = 4;
/** How often a replica renews its running jobs; a fifth of the time after which they count as dead. */
const heartbeatMs = staleAfterMs / 5;
/** Progress of one container is written at most this often, and at every change of stage. */
const progressEveryMs = 1000;

export interface JobInput {
  readonly store: Store;
  readonly client: KubeClient;
  readonly evidenceRoot: string;
  readonly operator: Principal;
  readonly cluster: string;
  readonly namespace: string;
  readonly selector?: string;
  readonly method: MethodName | 'auto';
  readonly targets: readonly { readonly pod: string; readonly container?: string }[];
  readonly limits?: JobLimits;
  readonly log?: (line: string) => void;
}

/**
 * Runs acquisitions started on this replica, their state and progress kept in the store: any
 * replica shows the job's page and events, and while jobs run here this replica renews them, so
 * that if it dies the others see them as interrupted instead of running forever.
 */
export class JobRunner {
  readonly replica = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  readonly #running = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  /** Records the job (refused beyond the limits) and returns it; the work goes on after the answer. */
  async start(input: JobInput): Promise<Job> {
    const job = await createJob(input.store, {
      operator: input.operator.subject,
      cluster: input.cluster,
      namespace: input.namespace,
      ...(input.selector ? { selector: input.selector } : {}),
      method: input.method,
      labels: input.targets.map((target) => targetLabel({ namespace: input.namespace, ...target })),
      replica: this.replica,
      ...(input.limits ? { limits: input.limits } : {}),
    });
    this.#track(input.store, job.id);
    // Each container's failure is caught in its row; this catches only a bug, which must not end the server.
    this.#run(job.id, input)
      .catch((error: unknown) =>
        input.log?.(`console: acquisition job ${job.id} stopped: ${messageOf(error)}`),
      )
      .finally(() => {
        this.#running.delete(job.id);
        void finishJob(input.store, job.id).catch(() => undefined);
      });
    return job;
  }

  #track(store: Store, id: string): void {
    this.#running.add(id);
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        return;
      }
      void renewJobs(store, [...this.#running]).catch(() => undefined);
    }, heartbeatMs);
    this.#timer.unref();
  }

  async #run(id: string, input: JobInput): Promise<void> {
    const rows = new RowWriter(input.store, id, input.log);
    await mapLimit(input.targets, concurrency, async (target) => {
      const index = input.targets.indexOf(target);
      const label = targetLabel({ namespace: input.namespace, ...target });
      let progress = { stage: 'preflight', bytes: 0, items: 0 };
      rows.progress(index, { label, ...progress, status: 'running' });
      try {
        const acquisition = await acquireAudited({
          store: input.store,
          client: input.client,
          evidenceRoot: input.evidenceRoot,
          namespace: input.namespace,
          pod: target.pod,
          ...(target.container ? { container: target.container } : {}),
          method: input.method,
          profile: defaultProfile,
          operator: input.operator,
          gatehouseVersion: version,
          onProgress: (stage, bytes, items) => {
            progress = { stage, bytes, items };
            rows.progress(index, { label, ...progress, status: 'running' });
          },
        });
        rows.final(index, sealedRow(label, acquisition));
        prepareView(input, acquisition.id);
      } catch (error) {
        rows.final(index, failedRow(label, progress, error));
        input.log?.(`console: acquisition of ${label} failed: ${messageOf(error)}`);
      }
    });
    await rows.settled();
  }
}

/**
 * Verifies a package just sealed and stores its view while the responder reads the result, so
 * that opening it does not wait for the build (one that fails is built when the page is opened).
 */
function prepareView(input: JobInput, id: string): void {
  const { store, evidenceRoot } = input;
  verifiedView({
    store,
    id,
    root: packageRoot(evidenceRoot, id),
    verify: () => verifyWithAnchors(store, evidenceRoot, id),
  }).catch((error: unknown) =>
    input.log?.(
      `console: preparing the view of package ${id} (it is built when opened): ${messageOf(error)}`,
    ),
  );
}

/**
 * Writes a job's rows to the store in the order they happen, progress throttled: a container's
 * progress at most once a second, but every change of stage and every result at once.
 */
export class RowWriter {
  #queue: Promise<void> = Promise.resolve();
  readonly #last = new Map<number, { at: number; stage: string }>();

  constructor(
    private readonly store: Store,
    private readonly id: string,
    private readonly log: ((line: string) => void) | undefined,
  ) {}

  progress(index: number, row: JobRow): void {
    const last = this.#last.get(index);
    const now = Date.now();
    if (last && last.stage === row.stage && now - last.at < progressEveryMs) return;
    this.final(index, row);
  }

  final(index: number, row: JobRow): void {
    this.#last.set(index, { at: Date.now(), stage: row.stage });
    this.#queue = this.#queue.then(() =>
      writeRow(this.store, this.id, index, row).catch((error: unknown) =>
        this.log?.(`console: progress of job ${this.id} not recorded: ${messageOf(error)}`),
      ),
    );
  }

  async settled(): Promise<void> {
    await this.#queue;
  }
}

/** The package's indicators by severity; a package the rules cannot read is said so, not counted as clean. */
function indicatorCounts(root: string): { counts: Record<IndicatorSeverity, number>; problem?: string } {
  try {
    return { counts: countBySeverity(findIndicators(openPackage(root))) };
  } catch (error) {
    return {
      counts: { critical: 0, high: 0, medium: 0, low: 0 },
      problem: `indicators could not be read: ${messageOf(error)}`,
    };
  }
}

function sealedRow(label: string, acquisition: Acquisition): JobRow {
  const { custody } = acquisition;
  const { counts, problem } = indicatorCounts(acquisition.root);
  const reasons = [
    ...custody.errors,
    ...custody.partialItems.map((path) => `partial item: ${path}`),
    ...(problem ? [problem] : []),
  ];
  return {
    label,
    stage: 'sealed',
    bytes: custody.bytesReceived,
    items: acquisition.items,
    status: 'sealed',
    packageId: acquisition.id,
    packageHash: acquisition.packageHash,
    method: custody.method,
    completeness: reasons.length === 0 ? 'complete' : 'partial',
    reasons,
    counts,
  };
}

function failedRow(
  label: string,
  progress: { stage: string; bytes: number; items: number },
  error: unknown,
): JobRow {
  const sealed = isAppError(error) ? error.details.package : undefined;
  return {
    label,
    ...progress,
    status: 'failed',
    error: messageOf(error),
    fix: isAppError(error) ? error.fix : undefined,
    packageId: sealed,
  };
}

export type { Job, JobRow };
