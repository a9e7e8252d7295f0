import type { TimelineEvent } from '../forensics/index.js';
import { sinceInstant } from './audit.js';
import { TimelineChart } from './evidence-chart.js';
import { Timeline } from './evidence-sections.js';
import type { ConsoleContext } from './http.js';

/** Rows drawn below the chart; the chart counts every matching event. */
const timelineLimit = 500;

export interface TimelineFilters {
  readonly source?: string;
  readonly kind?: string;
  readonly from?: string;
  readonly to?: string;
}

function filterTimeline(events: readonly TimelineEvent[], filters: TimelineFilters): TimelineEvent[] {
  const from = filters.from ? sinceInstant(filters.from) : undefined;
  const to = filters.to ? sinceInstant(filters.to) : undefined;
  return events.filter(
    (event) =>
      (!filters.source || event.source === filters.source) &&
      (!filters.kind || event.timestamp_desc === filters.kind) &&
      (!from || event.datetime >= from) &&
      (!to || event.datetime <= to),
  );
}

function TimelineForm(props: { id: string; filters: TimelineFilters; sources: string[]; kinds: string[] }) {
  const { filters } = props;
  const choice = (name: 'source' | 'kind', label: string, values: string[]) => (
    <div class="field">
      <label for={`timeline-${name}`}>{label}</label>
      <select id={`timeline-${name}`} name={name}>
        <option value="">any</option>
        {values.map((value) => (
          <option value={value} selected={filters[name] === value}>
            {value}
          </option>
        ))}
      </select>
    </div>
  );
  const text = (name: 'from' | 'to', label: string) => (
    <div class="field">
      <label for={`timeline-${name}`}>{label}</label>
      <input
        type="text"
        id={`timeline-${name}`}
        name={name}
        value={filters[name] ?? ''}
        placeholder="e.g. 2026-12-01T05:00"
      />
    </div>
  );
  return (
    <form
      method="get"
      action={`/evidence/${props.id}#timeline`}
      class="inline-form"
      aria-label="Filter the timeline"
    >
      {choice('source', 'Source', props.sources)}
      {choice('kind', 'Kind', props.kinds)}
      {text('from', 'From (UTC)')}
      {text('to', 'To (UTC)')}
      <button type="submit" class="secondary">
        Filter
      </button>
      <a href={`/evidence/${props.id}#timeline`}>Clear</a>
    </form>
  );
}

export function timelineFilters(c: ConsoleContext): TimelineFilters {
  return {
    source: c.req.query('source') || undefined,
    kind: c.req.query('kind') || undefined,
    from: c.req.query('from')?.trim() || undefined,
    to: c.req.query('to')?.trim() || undefined,
  };
}

/** The link that shows the timeline with these filters (empty ones left out). */
function filterHref(id: string, filters: TimelineFilters): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  const text = query.toString();
  return `/evidence/${id}${text ? `?${text}` : ''}#timeline`;
}

/**
 * The timeline: filters, a chart of the matching events over time (each bar narrows the window
 * to itself, keeping the other filters), and the first rows of the table.
 */
export function TimelineSection(props: {
  id: string;
  events: readonly TimelineEvent[];
  filters: TimelineFilters;
}) {
  const { id, events, filters } = props;
  const matching = filterTimeline(events, filters);
  const distinct = (values: string[]) => [...new Set(values)].sort();
  return (
    <section class="card" id="timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <TimelineForm
        id={id}
        filters={filters}
        sources={distinct(events.map((event) => event.source))}
        kinds={distinct(events.map((event) => event.timestamp_desc))}
      />
      <TimelineChart
        events={matching}
        links={{ windowHref: (from, to) => filterHref(id, { ...filters, from, to }) }}
      />
      <Timeline events={matching.slice(0, timelineLimit)} total={matching.length} limit={timelineLimit} />
    </section>
  );
}
