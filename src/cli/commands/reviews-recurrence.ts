import { durationText } from '../../access/index.js';
import type { Campaign } from '../../reviews/index.js';

/** `every 90d`, with the runs skipped for an empty scope; `-` for a one-off campaign. */
export function recurrenceWord(campaign: Campaign): string {
  if (!campaign.recurEverySeconds) return '-';
  const skipped = campaign.skippedRuns?.length ?? 0;
  return `every ${durationText(campaign.recurEverySeconds)}${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** The header lines of a recurring campaign: its period and each run skipped, with why. */
export function recurrenceLines(campaign: Campaign): string[] {
  if (!campaign.recurEverySeconds) return [];
  return [
    `recurs every ${durationText(campaign.recurEverySeconds)}`,
    ...(campaign.skippedRuns ?? []).map(
      (run) =>
        `skipped the run due ${run.dueAt}: ${run.reason} (sync ${run.syncRunId.slice(0, 8)}, checked ${run.at})`,
    ),
  ];
}
