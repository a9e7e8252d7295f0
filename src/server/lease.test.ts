import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects, type FreshStore, freshStore } from '../../test/support/stores.js';
import { Lease } from './lease.js';

describe.each(dialects)('the reconciler lease (%s)', (dialect) => {
  let fresh: FreshStore;
  let clock = Date.parse('2026-11-23T10:00:00.000Z');
  const now = () => new Date(clock);
  const lease = (holder: string) =>
    new Lease(fresh.store, { name: 'reconciler', holder, ttlMs: 10_000, now });
  beforeEach(async () => {
    fresh = await freshStore(dialect);
  });
  afterEach(async () => {
    await fresh.cleanup();
  });

  it('goes to one replica, is renewed by it, and passes to another only when it lapses', async () => {
    const a = lease('replica-a');
    const b = lease('replica-b');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(a.held()).toBe(true);
    expect(b.held()).toBe(false);
    clock += 8_000;
    expect(await a.acquire()).toBe(true);
    clock += 8_000;
    expect(await b.acquire()).toBe(false);
    expect(await b.holder()).toBe('replica-a');
    clock += 2_001;
    expect(a.held()).toBe(false);
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
    expect(await a.holder()).toBe('replica-b');
  });

  it('is taken back at once by a restarted replica of the same name, and freed by release', async () => {
    expect(await lease('replica-a').acquire()).toBe(true);
    expect(await lease('replica-a').acquire()).toBe(true);
    const b = lease('replica-b');
    expect(await b.acquire()).toBe(false);
    await lease('replica-a').release();
    expect(await b.holder()).toBeUndefined();
    expect(await b.acquire()).toBe(true);
  });

  it('goes to exactly one of many replicas asking at the same moment', async () => {
    const replicas = Array.from({ length: 8 }, (_, index) => lease(`replica-${index}`));
    const won = await Promise.all(replicas.map((replica) => replica.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
});
