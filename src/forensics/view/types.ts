import type { Anchor } from '../evidence/anchors.js';
import type { VerifyReport } from '../evidence/package.js';
import type { CustodyRecord, ManifestItem } from '../evidence/types.js';
import type { Indicator } from '../processing/indicators.js';
import type { ProcessInfo } from '../processing/parse.js';
import type { EventSpread } from './histogram.js';

/** What the process tree draws of a process (its file descriptors and environment stay in the package). */
export type ProcessSummary = Pick<ProcessInfo, 'pid' | 'ppid' | 'name' | 'uid' | 'cmdline' | 'exe' | 'cwd'>;

/** The most files a view keeps for the page's list; the count says how many there are. */
export const viewFileLimit = 2000;

/** The page's parts that are not the timeline, computed once per verified package. */
export interface ViewSummary {
  readonly custody: CustodyRecord;
  /** Worst first. */
  readonly indicators: readonly Indicator[];
  readonly processes: readonly ProcessSummary[];
  /** The first `viewFileLimit` collected files (those with a path in the package). */
  readonly files: readonly ManifestItem[];
  readonly fileCount: number;
  /** The timeline's distinct sources and kinds, sorted: the filter's choices. */
  readonly sources: readonly string[];
  readonly kinds: readonly string[];
  /** The whole timeline's count and chart, so the unfiltered page reads no events but its own. */
  readonly spread: EventSpread;
}

/** A built view: the key its rows are stored under, and its summary and sizes. */
export interface EvidenceView {
  readonly key: string;
  readonly packageId: string;
  readonly packageHash: string;
  readonly summary: ViewSummary;
  readonly eventCount: number;
  readonly bodyfileCount: number;
  readonly builtAt: string;
}

/** A full verification: the files re-hashed, and the package hash checked against its signed records. */
export interface VerifyOutcome extends VerifyReport {
  readonly anchors: readonly Anchor[];
  readonly notes: readonly string[];
}

/**
 * What the page may show of a package: its view when a full verification holds for the files
 * as they are on disk, only the failed outcome otherwise.
 */
export type VerifiedView =
  | {
      readonly kind: 'verified';
      readonly view: EvidenceView;
      readonly outcome: VerifyOutcome;
      readonly verifiedAt: string;
    }
  | { readonly kind: 'failed'; readonly outcome: VerifyOutcome; readonly verifiedAt: string };

/** The timeline filters as the store compares them (times in milliseconds since the epoch). */
export interface EventFilters {
  readonly source?: string | undefined;
  readonly kind?: string | undefined;
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
}
