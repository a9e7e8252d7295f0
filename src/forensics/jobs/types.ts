import type { IndicatorSeverity } from '../processing/rule-types.js';
import type { MethodName } from '../targets.js';

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
  readonly finishedAt: string | undefined;
  /** The server replica running it. */
  readonly replica: string;
  /** Set when the job ended because its replica stopped: what happened and what to do. */
  readonly interrupted: string | undefined;
  readonly rows: readonly JobRow[];
}

/** How many acquisitions may run at once: per person, and on the whole installation. */
export interface JobLimits {
  readonly perPerson: number;
  readonly total: number;
}

export const defaultJobLimits: JobLimits = { perPerson: 2, total: 8 };
