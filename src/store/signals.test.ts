import { afterEach, describe, expect, it } from 'vitest';
import { freshStore } from '../../test/support/stores.js';

describe('signals between processes sharing a store', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });

  it('carries a notification from one PostgreSQL connection pool to a listener on another', async () => {
    const fresh = await freshStore('postgres');
    cleanup = fresh.cleanup;
    const other = await fresh.reopen();
    try {
      const heard: number[] = [];
      const payloads: string[] = [];
      const stop = await fresh.store.signals!.listen('gatehouse_test', (payload) => {
        heard.push(Date.now());
        payloads.push(payload);
      });
      const afterListen = heard.length; // listening starts with one call, for signals sent before
      const sentAt = Date.now();
      await other.signals!.notify('gatehouse_test', 'request-1');
      for (let waited = 0; heard.length === afterListen && waited < 2000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(heard.length).toBe(afterListen + 1);
      expect(heard.at(-1)! - sentAt).toBeLessThan(1000);
      expect(payloads.at(-1)).toBe('request-1');
      await stop();
      await other.signals!.notify('gatehouse_test');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard.length).toBe(afterListen + 1);
    } finally {
      await other.close();
    }
  });

  it('is absent on SQLite, whose callers wait for their next pass instead', async () => {
    const fresh = await freshStore('sqlite');
    cleanup = fresh.cleanup;
    expect(fresh.store.signals).toBeUndefined();
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    const fresh = await freshStore('postgres');
    cleanup = fresh.cleanup;
    await expect(fresh.store.signals!.notify('x; drop table audit_events')).rejects.toThrow(
      /invalid signal channel/,
    );
  });
});
