import { AppError } from '../errors.js';
import { TimelineChart } from './evidence-chart.js';
import { Timeline } from './evidence-sections.js';
import { type TimelineFilters, type TimelinePage, timelinePageSize } from './evidence-timeline-data.js';
import type { ConsoleContext } from './http.js';

function TimelineForm(props: {
  id: string;
  filters: TimelineFilters;
  sources: readonly string[];
  kinds: readonly string[];
}) {
  const { filters } = props;
  const choice = (name: 'source' | 'kind', label: string, values: readonly string[]) => (
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

/** The timeline page asked for: a whole number from 1 (the first when absent). */
export function timelinePageNumber(c: ConsoleContext): number {
  const text = c.req.query('page')?.trim() || '1';
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1)
    throw new AppError('input.invalid', `"${text.slice(0, 20)}" is not a page number`, {
      fix: 'Use the Next and Previous links below the timeline',
    });
  return Number(text);
}

/** The link that shows the timeline with these filters (empty ones left out), at a page. */
function filterHref(id: string, filters: TimelineFilters, page = 1): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return `/evidence/${id}${text ? `?${text}` : ''}#timeline`;
}

function Pager(props: { id: string; filters: TimelineFilters; timeline: TimelinePage }) {
  const { page, pages } = props.timeline;
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Timeline pages">
      {page > 1 ? <a href={filterHref(props.id, props.filters, page - 1)}>Previous</a> : null}
      <span>{` Page ${page} of ${pages} `}</span>
      {page < pages ? <a href={filterHref(props.id, props.filters, page + 1)}>Next</a> : null}
    </nav>
  );
}

/**
 * The timeline: filters, a chart of the matching events over time (each bar narrows the window
 * to itself, keeping the other filters), and one page of the table.
 */
export function TimelineSection(props: {
  id: string;
  filters: TimelineFilters;
  choices: { readonly sources: readonly string[]; readonly kinds: readonly string[] };
  timeline: TimelinePage;
}) {
  const { id, filters, timeline } = props;
  return (
    <section class="card" id="timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <TimelineForm id={id} filters={filters} sources={props.choices.sources} kinds={props.choices.kinds} />
      <TimelineChart
        histogram={timeline.histogram}
        total={timeline.total}
        links={{ windowHref: (from, to) => filterHref(id, { ...filters, from, to }) }}
      />
      <Timeline
        events={timeline.events}
        total={timeline.total}
        first={(timeline.page - 1) * timelinePageSize + 1}
      />
      <Pager id={id} filters={filters} timeline={timeline} />
    </section>
  );
}
