import { randomUUID } from 'node:crypto';
import { isAppError, messageOf } from '../errors.js';
import {
  type Acquisition,
  acquireAudited,
  defaultProfile,
  findIndicators,
  type IndicatorSeverity,
  type MethodName,
  openPackage,
  targetLabel,
} from '../forensics/index.js';
import type { Principal } from '../identity/index.js';
import type { KubeClient } from '../kube/index.js';
import { mapLimit } from '../map-limit.js';
import type { Store } from '../store/index.js';
import { version } from '../version.js';
import { countBySeverity } from './evidence-data.js';

/** One container of a job, as the progress table and the result page show it. */
export type JobRow = {
  readonly label: string;
  readonly stage: string;
  readonly bytes: number;
  readonly items: number;
} & (
  | { readonly status: 'queued' | 'running' }
  | {
      readonly status: 'sealed';
      readonly packageId: string;
      readonly packageHash: string;
      readonly method: string;
      /** complete, or partial with the reasons the package itself records. */
      readonly completeness: 'complete' | 'partial';
      readonly reasons: readonly string[];
      readonly counts: Readonly<Record<IndicatorSeverity, number>>;
    }
  | {
      readonly status: 'failed';
      readonly error: string;
      readonly fix: string | undefined;
      /** A package sealed with what arrived before the failure, if any. */
      readonly packageId: string | undefined;
    }
);

/** One acquisition started from the console: a container, or every match of a selector. */
export interface Job {
  readonly id: string;
  readonly operator: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly selector: string | undefined;
  readonly method: MethodName | 'auto';
  readonly startedAt: string;
  readonly rows: readonly JobRow[];
  readonly finishedAt: string | undefined;
  /** Grows with every change: the event stream sends a snapshot when it moved. */
  readonly version: number;
}

/** How many containers one job acquires at once (the CLI's default for -l). */
const concurrency = 4;
/** Finished jobs kept in memory beyond this many are forgotten, oldest first. */
const keptJobs = 200;

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
  readonly log?: (line: string) => void;
}

/**
 * Acquisitions running in this server process, kept in memory by job id: a reload of the job's
 * page finds it, a restart forgets it (the packages and their audit entries stay). Another
 * replica behind the same address does not see it.
 */
export class JobRegistry {
  readonly #jobs = new Map<string, Job>();

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  /** Starts the job and returns at once; the work goes on after the answer is sent. */
  start(input: JobInput): Job {
    const job: Job = {
      id: randomUUID(),
      operator: input.operator.subject,
      cluster: input.cluster,
      namespace: input.namespace,
      selector: input.selector,
      method: input.method,
      startedAt: new Date().toISOString(),
      rows: input.targets.map((target) => ({
        label: targetLabel({ namespace: input.namespace, ...target }),
        stage: 'waiting',
        bytes: 0,
        items: 0,
        status: 'queued',
      })),
      finishedAt: undefined,
      version: 0,
    };
    this.#jobs.set(job.id, job);
    this.#forgetOld();
    // Each container's failure is caught in its row; this catches only a bug, which must not end the server.
    this.#run(job.id, input).catch((error: unknown) => {
      input.log?.(`console: acquisition job ${job.id} stopped: ${messageOf(error)}`);
      this.#update(job.id, () => ({ finishedAt: new Date().toISOString() }));
    });
    return job;
  }

  #update(id: string, change: (job: Job) => Partial<Job>): void {
    const job = this.#jobs.get(id);
    if (job) this.#jobs.set(id, { ...job, ...change(job), version: job.version + 1 });
  }

  #setRow(id: string, index: number, row: JobRow): void {
    this.#update(id, (job) => ({ rows: job.rows.map((old, at) => (at === index ? row : old)) }));
  }

  async #run(id: string, input: JobInput): Promise<void> {
    await mapLimit(input.targets, concurrency, async (target) => {
      const index = input.targets.indexOf(target);
      const label = targetLabel({ namespace: input.namespace, ...target });
      let progress = { stage: 'preflight', bytes: 0, items: 0 };
      this.#setRow(id, index, { label, ...progress, status: 'running' });
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
            this.#setRow(id, index, { label, ...progress, status: 'running' });
          },
        });
        this.#setRow(id, index, sealedRow(label, acquisition));
      } catch (error) {
        this.#setRow(id, index, failedRow(label, progress, error));
        input.log?.(`console: acquisition of ${label} failed: ${messageOf(error)}`);
      }
    });
    this.#update(id, () => ({ finishedAt: new Date().toISOString() }));
  }

  #forgetOld(): void {
    const finished = [...this.#jobs.values()].filter((job) => job.finishedAt);
    for (const job of finished.slice(0, Math.max(0, this.#jobs.size - keptJobs))) this.#jobs.delete(job.id);
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
