import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import type { Store } from '../store/index.js';
import { appendAudit, listAudit, verifyAudit } from './index.js';

describe.each(dialects)('audit log on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  let reopen: (() => Promise<Store>) | undefined;
  async function open(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    reopen = fresh.reopen;
    return fresh.store;
  }
  const event = (n: number) => ({
    actor: 'alice',
    action: 'access.grant',
    target: `request/${n}`,
    outcome: 'succeeded' as const,
    details: { z: n, a: 'first' },
  });

  it('appends events as a linked chain that verifies', async () => {
    const store = await open();
    for (let n = 1; n <= 5; n++) await appendAudit(store, event(n));
    const events = await listAudit(store);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    expect(events[4]?.details).toEqual({ a: 'first', z: 5 });
    const report = await verifyAudit(store);
    expect(report).toMatchObject({ ok: true, checked: 5, head: events[4]?.hash, problems: [] });
  });

  it('detects a modified entry', async () => {
    const store = await open();
    for (let n = 1; n <= 3; n++) await appendAudit(store, event(n));
    await store.db.updateTable('audit_events').set({ actor: 'mallory' }).where('seq', '=', 2).execute();
    const report = await verifyAudit(store);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ seq: 2, problem: expect.stringContaining('modified') }]);
  });

  it('detects a removed entry', async () => {
    const store = await open();
    for (let n = 1; n <= 4; n++) await appendAudit(store, event(n));
    await store.db.deleteFrom('audit_events').where('seq', '=', 2).execute();
    const report = await verifyAudit(store);
    expect(report.problems.map((p) => p.seq)).toEqual([3, 3]);
    expect(report.problems[0]?.problem).toContain('missing');
  });

  it('detects removal of the newest entries against the checkpoint outside the database', async () => {
    const store = await open();
    for (let n = 1; n <= 3; n++) await appendAudit(store, event(n));
    const { head } = await verifyAudit(store);
    await store.db.deleteFrom('audit_events').where('seq', '=', 3).execute();
    const report = await verifyAudit(store);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { seq: 3, problem: expect.stringContaining('newest entries were removed') },
    ]);
    expect((await verifyAudit(store, { expectedHead: head })).ok).toBe(false);
  });

  it('keeps one chain when writers race', async () => {
    const store = await open();
    await Promise.all(Array.from({ length: 20 }, (_, n) => appendAudit(store, event(n))));
    const report = await verifyAudit(store);
    expect(report).toMatchObject({ ok: true, checked: 20 });
  });

  it('keeps committed events when the store is closed and opened again', async () => {
    const store = await open();
    await appendAudit(store, event(1));
    await appendAudit(store, event(2));
    const again = await reopen!();
    try {
      await appendAudit(again, event(3));
      expect((await listAudit(again)).map((e) => e.target)).toEqual(['request/1', 'request/2', 'request/3']);
      expect((await verifyAudit(again)).ok).toBe(true);
    } finally {
      await again.close();
    }
  });
});
