import {
  bucketWidthFor,
  type EventGroup,
  originOf,
  type SlotCount,
  spreadOf,
  type TimelineEvent,
} from '../forensics/index.js';

/** What a bar is made of: file times, process starts, and log lines read apart by colour. */
export const eventGroups: readonly EventGroup[] = ['files', 'processes', 'logs'];

export interface Bucket {
  /** Start of the bucket, milliseconds since the epoch (inclusive). */
  readonly start: number;
  readonly counts: Readonly<Record<EventGroup, number>>;
  readonly total: number;
}

export interface Histogram {
  /** Width of every bucket in milliseconds, one of `bucketWidths`. */
  readonly width: number;
  readonly buckets: readonly Bucket[];
  readonly highest: number;
}

export { bucketWidths, maxBuckets } from '../forensics/index.js';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * The histogram of events from `first` to `last` (ms) out of their counts per slot (bucket
 * index from `originOf`) and group. Empty buckets between busy ones are kept, since a quiet gap
 * is itself something to see.
 */
export function histogramFrom(
  span: { first: number; last: number },
  counted: readonly SlotCount[],
): Histogram {
  const width = bucketWidthFor(span.first, span.last);
  const origin = originOf(span.first, width);
  const count = Math.floor((span.last - origin) / width) + 1;
  const counts = Array.from({ length: count }, () => ({ files: 0, processes: 0, logs: 0 }));
  for (const { slot, group, count: n } of counted) {
    const bucket = counts[slot];
    if (bucket && (eventGroups as readonly string[]).includes(group)) bucket[group as EventGroup] += n;
  }
  const buckets = counts.map((bucket, index) => ({
    start: origin + index * width,
    counts: bucket,
    total: bucket.files + bucket.processes + bucket.logs,
  }));
  let highest = 0;
  for (const bucket of buckets) highest = Math.max(highest, bucket.total);
  return { width, buckets, highest };
}

/** Counts events per time bucket and group, in memory; undefined for no events. */
export function histogramOf(events: readonly TimelineEvent[]): Histogram | undefined {
  const spread = spreadOf(events);
  return spread.total === 0 ? undefined : histogramFrom(spread, spread.slots);
}

const plot = { width: 720, height: 150, left: 44, bottom: 22, top: 8 };

/** A readable label of an instant at the precision the bucket width calls for. */
function label(at: number, width: number): string {
  const iso = new Date(at).toISOString();
  if (width >= day) return iso.slice(0, 10);
  if (width >= minute) return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function widthName(width: number): string {
  const names: [number, string][] = [
    [3650 * day, '10 years'],
    [365 * day, 'year'],
    [30 * day, '30 days'],
    [7 * day, 'week'],
    [day, 'day'],
    [hour, 'hour'],
    [minute, 'minute'],
    [second, 'second'],
  ];
  for (const [size, name] of names)
    if (width % size === 0) return width === size ? name : `${width / size} ${name}s`;
  return `${width} ms`;
}

export interface ChartLinks {
  /** The filter link for one bucket's window: the chart zooms by following it. */
  readonly windowHref: (from: string, to: string) => string;
}

/**
 * Events over time as a stacked bar chart drawn on the server (no script: it passes the CSP and
 * prints). Each bar is a link that narrows the timeline to its window, and carries its counts as
 * a title, so the numbers are there for whoever would rather read than look.
 */
export function TimelineChart(props: { histogram: Histogram | undefined; total: number; links: ChartLinks }) {
  const { histogram } = props;
  if (!histogram) return null;
  const { buckets, width, highest } = histogram;
  const innerWidth = plot.width - plot.left;
  const innerHeight = plot.height - plot.bottom - plot.top;
  const step = innerWidth / buckets.length;
  const barWidth = Math.max(1, step - (step > 4 ? 2 : 0));
  const scale = (value: number) => (value / highest) * innerHeight;
  const first = buckets[0]!;
  const last = buckets[buckets.length - 1]!;
  const summary = `${props.total} events from ${label(first.start, width)} to ${label(last.start + width, width)} UTC, one bar per ${widthName(width)}; the busiest bar holds ${highest}.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${plot.width} ${plot.height}`} aria-labelledby="timeline-chart-title">
        <title id="timeline-chart-title">{`Events over time: ${summary}`}</title>
        <line
          class="axis"
          x1={plot.left}
          y1={plot.top + innerHeight}
          x2={plot.width}
          y2={plot.top + innerHeight}
        />
        <text class="tick" x={plot.left - 6} y={plot.top + 10} text-anchor="end">
          {String(highest)}
        </text>
        <text class="tick" x={plot.left - 6} y={plot.top + innerHeight} text-anchor="end">
          0
        </text>
        {buckets.map((bucket, index) => (
          <Bar
            bucket={bucket}
            x={plot.left + index * step + (step - barWidth) / 2}
            barWidth={barWidth}
            base={plot.top + innerHeight}
            scale={scale}
            width={width}
            links={props.links}
          />
        ))}
        <text class="tick" x={plot.left} y={plot.height - 6}>
          {label(first.start, width)}
        </text>
        <text class="tick" x={plot.width} y={plot.height - 6} text-anchor="end">
          {label(last.start + width, width)}
        </text>
      </svg>
      <figcaption>
        {eventGroups.map((group) => (
          <span class="legend">
            <span class={`swatch swatch-${group}`} aria-hidden="true" />
            {group}
          </span>
        ))}
        <span class="hint">{` ${summary} Select a bar to narrow the timeline to it.`}</span>
      </figcaption>
    </figure>
  );
}

function Bar(props: {
  bucket: Bucket;
  x: number;
  barWidth: number;
  base: number;
  scale: (value: number) => number;
  width: number;
  links: ChartLinks;
}) {
  const { bucket, width } = props;
  if (bucket.total === 0) return null;
  const from = new Date(bucket.start).toISOString();
  const to = new Date(bucket.start + width - 1).toISOString();
  const parts = eventGroups
    .filter((group) => bucket.counts[group] > 0)
    .map((group) => `${bucket.counts[group]} ${group}`);
  let top = props.base;
  return (
    <a href={props.links.windowHref(from, to)}>
      <title>{`${label(bucket.start, width)}: ${bucket.total} events (${parts.join(', ')})`}</title>
      {eventGroups.map((group) => {
        const height = props.scale(bucket.counts[group]);
        if (height === 0) return null;
        top -= height;
        return (
          <rect
            class={`bar bar-${group}`}
            x={props.x.toFixed(1)}
            y={top.toFixed(1)}
            width={props.barWidth.toFixed(1)}
            height={Math.max(height, 1).toFixed(1)}
          />
        );
      })}
    </a>
  );
}
