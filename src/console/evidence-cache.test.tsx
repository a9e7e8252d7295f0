import { appendFileSync, mkdtempSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { largePackage } from '../../test/support/large-evidence.js';
import { dialects } from '../../test/support/stores.js';
import {
  buildTimeline,
  factsOf,
  heldView,
  openPackage,
  type TimelineEvent,
  toBodyfile,
  toTimelineCsv,
  toTimesketchJsonl,
  verifiedView,
} from '../forensics/index.js';
import { histogramOf } from './evidence-chart.js';
import { verifyWithAnchors } from './evidence-data.js';
import { type TimelineFilters, timelinePage, timelinePageSize } from './evidence-timeline-data.js';

/** A package of about 12,000 events: 3,000 listed files, 300 processes, 2,000 timed log lines. */
const size = { files: 3000, processes: 300, logLines: 2000, bulkMb: 1 };

/** The timeline as the page drew it before views were stored: built from the package, filtered in memory. */
function uncached(events: readonly TimelineEvent[], filters: TimelineFilters): TimelineEvent[] {
  const instant = (text: string) => new Date(Date.parse(text)).toISOString();
  return events.filter(
    (event) =>
      (!filters.source || event.source === filters.source) &&
      (!filters.kind || event.timestamp_desc === filters.kind) &&
      (!filters.from || event.datetime >= instant(filters.from)) &&
      (!filters.to || event.datetime <= instant(filters.to)),
  );
}

describe.each(dialects)('the stored evidence view on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  async function withLargePackage() {
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-evidence-view-'));
    fixture = await consoleFixture(dialect, { evidenceRoot });
    const sealed = await largePackage(fixture.fresh.store, evidenceRoot, size);
    const open = (
      reverify = false,
      verify = () => verifyWithAnchors(fixture!.fresh.store, evidenceRoot, sealed.id),
    ) => verifiedView({ store: fixture!.fresh.store, id: sealed.id, root: sealed.root, verify, reverify });
    return { fixture, evidenceRoot, ...sealed, open };
  }

  it('answers every filter and page from the stored view exactly as the timeline built from the package', async () => {
    const { fixture, root, open } = await withLargePackage();
    const opened = await open();
    if (opened.kind !== 'verified') throw new Error('the package should verify');
    const events = buildTimeline(openPackage(root));
    expect(opened.view.eventCount).toBe(events.length);
    const log = events.find((event) => event.timestamp_desc === 'Log Entry')!;
    const asked: TimelineFilters[] = [
      {},
      { source: 'processes' },
      { kind: 'Log Entry' },
      { source: 'bodyfile', kind: 'Last Access Time' },
      { from: log.datetime.slice(0, 16), to: '2026-11-30T09:00' },
      { source: log.source, from: '2026-11-30T08:10' },
      { kind: 'Shell History', to: '2026-11-30' },
      { source: 'no such source' },
    ];
    for (const filters of asked) {
      const expected = uncached(events, filters);
      const pages = Math.max(1, Math.ceil(expected.length / timelinePageSize));
      for (const page of new Set([1, 2, pages])) {
        const got = await timelinePage(fixture.fresh.store, opened.view, { filters, page });
        // A page past the last shows the last.
        const start = (Math.min(page, pages) - 1) * timelinePageSize;
        expect(got.page).toBe(Math.min(page, pages));
        expect(got.total).toBe(expected.length);
        expect(got.events).toEqual(expected.slice(start, start + timelinePageSize));
        expect(got.histogram).toEqual(histogramOf(expected));
      }
    }
  }, 120_000);

  it('exports the same bytes as the exports built from the whole package', async () => {
    const { fixture, id, root } = await withLargePackage();
    const pkg = openPackage(root);
    const events = buildTimeline(pkg);
    const expected = {
      csv: toTimelineCsv(events),
      timesketch: toTimesketchJsonl(events),
      bodyfile: toBodyfile(factsOf(pkg).files),
    };
    for (const [format, body] of Object.entries(expected)) {
      const response = await fixture.visit('dave', `/evidence/${id}/export/${format}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(body);
    }
  }, 120_000);

  it('refuses a package altered after its view was stored, its times set back, and shows nothing of it', async () => {
    const { fixture, id, root } = await withLargePackage();
    const before = await (await fixture.visit('rita', `/evidence/${id}`)).text();
    expect(before).toContain('Verified in full at');
    expect(before).toMatch(/of \d+ matching events/);
    const log = join(root, 'files/var/log/app/app-0.log');
    const { atime, mtime } = statSync(log);
    appendFileSync(log, '2030-01-01T00:00:00Z planted line\n');
    utimesSync(log, atime, mtime);
    const after = await (await fixture.visit('rita', `/evidence/${id}`)).text();
    expect(after).toContain('The package does NOT verify.');
    expect(after).toContain('files/var/log/app/app-0.log: modified (content differs from the manifest)');
    expect(after).toContain('Nothing from this package is shown');
    expect(after).not.toMatch(/matching events|Chain of custody|planted line/);
    const exported = await fixture.visit('rita', `/evidence/${id}/export/csv`);
    expect(exported.status).toBe(409);
    expect(await exported.text()).toContain('does not verify');
  }, 120_000);

  it('verifies once per state of the files on disk, and reuses a view another replica stored', async () => {
    const { fixture, id, root, evidenceRoot } = await withLargePackage();
    let verified = 0;
    const counting =
      (store = fixture.fresh.store) =>
      async () => {
        verified++;
        return await verifyWithAnchors(store, evidenceRoot, id);
      };
    const first = await verifiedView({ store: fixture.fresh.store, id, root, verify: counting() });
    const other = await fixture.fresh.reopen();
    try {
      const again = await verifiedView({ store: other, id, root, verify: counting(other) });
      expect(verified).toBe(1);
      expect(again.kind === 'verified' && first.kind === 'verified' && again.view).toEqual(
        first.kind === 'verified' && first.view,
      );
      const reverified = await verifiedView({
        store: other,
        id,
        root,
        verify: counting(other),
        reverify: true,
      });
      expect(verified).toBe(2);
      expect(reverified.kind).toBe('verified');
    } finally {
      await other.close();
    }
  }, 120_000);

  it('streams an export: the first bytes arrive before the rest is read, and a view replaced meanwhile fails the stream', async () => {
    const { fixture, id, root, open } = await withLargePackage();
    const opened = await open();
    if (opened.kind !== 'verified') throw new Error('the package should verify');
    const whole = toTimesketchJsonl(buildTimeline(openPackage(root))).length;
    const response = await fixture.visit('dave', `/evidence/${id}/export/timesketch`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(Buffer.from(first.value!).toString('utf8')).toMatch(/^\{"datetime":/);
    // Rows the stream has not read yet are gone: a buffered body would still arrive whole.
    await fixture.fresh.store.db
      .deleteFrom('evidence_view_events')
      .where('view_key', '=', opened.view.key)
      .execute();
    let received = first.value!.length;
    const drained = (async () => {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        received += chunk.value.length;
    })();
    await expect(drained).rejects.toThrow();
    expect(received).toBeLessThan(whole);
  }, 120_000);

  it('lists a viewed package from its stored view only while its files are as they were verified', async () => {
    const { fixture, id, root, open } = await withLargePackage();
    expect(await heldView(fixture.fresh.store, id, root)).toBeUndefined();
    const opened = await open();
    const held = await heldView(fixture.fresh.store, id, root);
    expect(held).toEqual(opened.kind === 'verified' ? opened.view : 'a verified view');
    const list = await (await fixture.visit('dave', '/evidence')).text();
    expect(list).toContain(`<a href="/evidence/${id}">${id}</a>`);
    appendFileSync(join(root, 'files/var/log/app/app-1.log'), 'more\n');
    expect(await heldView(fixture.fresh.store, id, root)).toBeUndefined();
  }, 120_000);

  it('pages the timeline with links that keep the filters', async () => {
    const { fixture, id } = await withLargePackage();
    const text = await (await fixture.visit('rita', `/evidence/${id}?source=bodyfile&page=2`)).text();
    expect(text).toContain('Events 501 to 1000 of 9003 matching events.');
    expect(text).toContain(`<a href="/evidence/${id}?source=bodyfile#timeline">Previous</a>`);
    expect(text).toContain(`<a href="/evidence/${id}?source=bodyfile&amp;page=3#timeline">Next</a>`);
    expect((await fixture.visit('rita', `/evidence/${id}?page=0`)).status).toBe(400);
    const last = await (await fixture.visit('rita', `/evidence/${id}?source=bodyfile&page=999`)).text();
    expect(last).toContain('Events 9001 to 9003 of 9003 matching events.');
    expect(last).not.toContain('>Next</a>');
  }, 120_000);
});
