import { afterEach, describe, expect, it } from 'vitest';
import { craftPackage, processOutput } from '../../../test/support/evidence-package.js';
import { shopCustody } from '../../../test/support/sealed-evidence.js';
import { dialects, type FreshStore, freshStore } from '../../../test/support/stores.js';
import { openPackage, type TimelineEvent } from '../processing/triage.js';
import { type BuiltView, buildView, saveView } from './build.js';
import { spreadOf } from './histogram.js';
import { readView, streamEvents } from './read.js';

function small(packageId: string, message: string): BuiltView {
  const events: TimelineEvent[] = [
    { datetime: '2026-11-30T10:00:00.000Z', timestamp_desc: 'Log Entry', message, source: '/var/log/a.log' },
  ];
  const summary = {
    custody: shopCustody(packageId),
    indicators: [],
    processes: [],
    files: [],
    fileCount: 0,
    sources: ['/var/log/a.log'],
    kinds: ['Log Entry'],
    spread: spreadOf(events),
  };
  return { summary, events, bodyfile: ['0|/etc/passwd|1|-rw-r--r--|0|0|1|1|1|1|0\n'] };
}

describe.each(dialects)('stored evidence views on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  it('keeps one view per package and the most recently built ones, dropping the rows of the others', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    const save = (packageId: string, hash: string, minute: number) =>
      saveView(
        store,
        { packageId, packageHash: hash.repeat(64), builtAt: `2026-12-01T10:0${minute}:00.000Z`, keep: 2 },
        small(packageId, `of ${hash}`),
      );
    await save('p1', 'a', 1);
    await save('p1', 'b', 2);
    expect(await readView(store, 'a'.repeat(64))).toBeUndefined();
    await save('p2', 'c', 3);
    await save('p3', 'd', 4);
    expect(await readView(store, 'b'.repeat(64))).toBeUndefined();
    expect((await readView(store, 'c'.repeat(64)))?.packageId).toBe('p2');
    expect((await readView(store, 'd'.repeat(64)))?.packageId).toBe('p3');
    const events = await store.db.selectFrom('evidence_view_events').select('message').execute();
    expect(events.map((row) => JSON.parse(row.message))).toEqual(['of c', 'of d']);
    const lines = await store.db.selectFrom('evidence_view_bodyfile').select('view_key').execute();
    expect(lines).toHaveLength(2);
  });
});

describe.each(dialects)('a view of hostile container text on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  it('stores and streams back a log source holding NUL, newline and formula characters exactly', async () => {
    fresh = await freshStore(dialect);
    const source = '/var/log/\u0000evil\n=cmd|x.log';
    const built = small('p1', 'line\u0000with NUL');
    const view = {
      ...built,
      summary: { ...built.summary, sources: [source] },
      events: built.events.map((event) => ({ ...event, source })),
    };
    await saveView(
      fresh.store,
      { packageId: 'p1', packageHash: 'f'.repeat(64), builtAt: '2026-12-01T10:00:00.000Z' },
      view,
    );
    const stored = await readView(fresh.store, 'f'.repeat(64));
    const events = [];
    for await (const event of streamEvents(fresh.store, stored!)) events.push(event);
    expect(events).toEqual(view.events);
  });
});

// Replicas share PostgreSQL; two SQLite connections in one process would wait on each other's
// lock with the event loop blocked (a server has one, and SQLite serves one replica).
describe('stored evidence views on postgres, built by two replicas', () => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  it('stores a view once when two replicas build it at the same time', async () => {
    fresh = await freshStore('postgres');
    const other = await fresh.reopen();
    try {
      const target = { packageId: 'p1', packageHash: 'e'.repeat(64), builtAt: '2026-12-01T10:00:00.000Z' };
      await Promise.all([
        saveView(fresh.store, target, small('p1', 'from one')),
        saveView(other, target, small('p1', 'from the other')),
      ]);
      const events = await fresh.store.db.selectFrom('evidence_view_events').select('message').execute();
      expect(events).toHaveLength(1);
      expect((await readView(other, 'e'.repeat(64)))?.eventCount).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('a view built from a hostile container', () => {
  it('builds the timeline when the container reports times no date can hold, leaving those events out', () => {
    const root = craftPackage({
      outputs: {
        'fs.bodyfile': [
          '1|-rw-r--r--|0|0|5|1764576000|99999999999999999|1764576000|./etc/passwd',
          '2|-rw-r--r--|0|0|5|1764576000|1e400|1764576000|./etc/shadow',
        ].join('\n'),
        'live.date': '2026-12-01T10:00:00Z\n1e300 1.0',
        'live.processes': processOutput([{ pid: 7, name: 'sh', argv: ['sh'], exe: '/bin/sh' }]),
      },
    });
    const built = buildView(openPackage(root));
    expect(built.events.map((event) => `${event.timestamp_desc} ${event.message.split(' ')[0]}`)).toEqual([
      'Last Access Time /etc/passwd',
      'Metadata Change Time /etc/passwd',
      'Last Access Time /etc/shadow',
      'Metadata Change Time /etc/shadow',
    ]);
  });
});
