import type { TimelineEvent } from '../processing/triage.js';

/** The chart's colour of an event: file times, process starts, everything else is a log. */
export type EventGroup = 'files' | 'processes' | 'logs';

export function groupOfSource(source: string): EventGroup {
  if (source === 'bodyfile') return 'files';
  return source === 'processes' ? 'processes' : 'logs';
}

export const groupOf = (event: TimelineEvent): EventGroup => groupOfSource(event.source);

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
/** Round widths people read at a glance; the smallest that keeps the bars under `maxBuckets` wins. */
export const bucketWidths = [
  second,
  5 * second,
  15 * second,
  minute,
  5 * minute,
  15 * minute,
  hour,
  6 * hour,
  day,
  7 * day,
  30 * day,
  365 * day,
  3650 * day,
] as const;
export const maxBuckets = 60;

/** The smallest round width that keeps the span from `first` to `last` (ms) under `maxBuckets` bars. */
export function bucketWidthFor(first: number, last: number): number {
  return (
    bucketWidths.find(
      (candidate) => Math.floor(last / candidate) - Math.floor(first / candidate) < maxBuckets,
    ) ?? 3650 * day
  );
}

/** Where the first bucket starts: buckets start on multiples of their width (UTC). */
export const originOf = (first: number, width: number): number => Math.floor(first / width) * width;

/** Events of one group in one bucket (`slot`: its index from the origin). */
export interface SlotCount {
  readonly slot: number;
  readonly group: string;
  readonly count: number;
}

/** Matching events: how many, the first and last of their times (ms), and their counts per bucket. */
export interface EventSpread {
  readonly total: number;
  readonly first: number;
  readonly last: number;
  readonly slots: readonly SlotCount[];
}

/** The spread of events held in memory (the whole timeline, when a view is built). */
export function spreadOf(events: readonly TimelineEvent[]): EventSpread {
  const times = events.map((event) => Date.parse(event.datetime));
  // A loop, not Math.min(...times): a package can hold more events than a call takes arguments.
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const time of times) {
    if (time < first) first = time;
    if (time > last) last = time;
  }
  if (events.length === 0) return { total: 0, first: 0, last: 0, slots: [] };
  const width = bucketWidthFor(first, last);
  const origin = originOf(first, width);
  const counted = new Map<string, { slot: number; group: string; count: number }>();
  events.forEach((event, index) => {
    const slot = Math.floor(((times[index] ?? first) - origin) / width);
    const key = `${slot} ${groupOf(event)}`;
    const entry = counted.get(key) ?? { slot, group: groupOf(event), count: 0 };
    entry.count++;
    counted.set(key, entry);
  });
  return { total: events.length, first, last, slots: [...counted.values()] };
}
