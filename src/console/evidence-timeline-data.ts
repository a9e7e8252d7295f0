import { AppError } from '../errors.js';
import {
  bucketWidthFor,
  countEvents,
  countPerSlot,
  type EventFilters,
  type EventSpread,
  type EvidenceView,
  eventsPage,
  originOf,
  type TimelineEvent,
} from '../forensics/index.js';
import type { Store } from '../store/index.js';
import { sinceInstant } from './audit.js';
import { type Histogram, histogramFrom } from './evidence-chart.js';

/** Rows drawn below the chart per page; the chart counts every matching event. */
export const timelinePageSize = 500;

export interface TimelineFilters {
  readonly source?: string | undefined;
  readonly kind?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** What the timeline section draws: one page of the matching events, their count and chart. */
export interface TimelinePage {
  readonly total: number;
  readonly histogram: Histogram | undefined;
  readonly events: readonly TimelineEvent[];
  /** 1-based. */
  readonly page: number;
  readonly pages: number;
}

/** The filters as the store compares them; a date that is not one is refused (400). */
export function eventFilters(filters: TimelineFilters): EventFilters {
  return {
    source: filters.source,
    kind: filters.kind,
    fromMs: filters.from ? Date.parse(sinceInstant(filters.from)) : undefined,
    toMs: filters.to ? Date.parse(sinceInstant(filters.to)) : undefined,
  };
}

/**
 * Reads one page of a view's timeline from the store: a count, the chart's counts per bucket
 * and the page's rows, each one query; nothing is read from the package.
 */
export async function timelinePage(
  store: Store,
  view: EvidenceView,
  asked: { filters: TimelineFilters; page: number },
): Promise<TimelinePage> {
  const filters = eventFilters(asked.filters);
  const spread = await spreadOfMatching(store, view, filters);
  const pages = Math.max(1, Math.ceil(spread.total / timelinePageSize));
  const page = Math.min(Math.max(1, asked.page), pages);
  const offset = (page - 1) * timelinePageSize;
  const events =
    spread.total === 0 ? [] : await eventsPage(store, view, { filters, offset, limit: timelinePageSize });
  // Views are evicted (the newest 50 are kept): rows gone meanwhile must not read as an empty page.
  if (events.length !== Math.min(timelinePageSize, spread.total - offset))
    throw new AppError('conflict', `the view of package ${view.packageId} was replaced while it was read`, {
      fix: 'Open the page again: the view is read, or built, anew',
    });
  const histogram = spread.total === 0 ? undefined : histogramFrom(spread, spread.slots);
  return { total: spread.total, histogram, events, page, pages };
}

/** The whole timeline's spread was counted when the view was built; a filtered one is counted now. */
async function spreadOfMatching(
  store: Store,
  view: EvidenceView,
  filters: EventFilters,
): Promise<EventSpread> {
  const unfiltered = Object.values(filters).every((value) => value === undefined);
  if (unfiltered) return view.summary.spread;
  const { total, first, last } = await countEvents(store, view, filters);
  if (total === 0) return { total, first, last, slots: [] };
  const width = bucketWidthFor(first, last);
  const slots = await countPerSlot(store, view, { filters, origin: originOf(first, width), width });
  return { total, first, last, slots };
}
