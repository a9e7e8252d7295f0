import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { audited, listAudit } from './index.js';

describe.each(dialects)('audited sessions on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  async function open(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  }
  const subject = { actor: 'alice', action: 'forensics.acquire', target: 'dev/web-1' };

  it('ends a session that fails with a failed entry carrying the error and its details', async () => {
    const store = await open();
    const failure = new AppError('internal', 'the stream broke', {
      details: { package: 'p-1', packageHash: 'abc' },
    });
    await expect(
      audited(store, {
        ...subject,
        work: () => {
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    const events = await listAudit(store);
    expect(events.map((event) => event.outcome)).toEqual(['started', 'failed']);
    expect(events[1]?.details).toEqual({ error: 'the stream broke', package: 'p-1', packageHash: 'abc' });
  });

  it('ends parallel sessions each with its own outcome', async () => {
    const store = await open();
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) =>
        audited(store, {
          ...subject,
          target: name,
          work: async () => {
            if (name === 'b') throw new Error('b failed');
            return name;
          },
          succeeded: (result) => ({ result }),
        }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const ends = (await listAudit(store)).filter((event) => event.outcome !== 'started');
    expect(Object.fromEntries(ends.map((event) => [event.target, event.outcome]))).toEqual({
      a: 'succeeded',
      b: 'failed',
      c: 'succeeded',
    });
  });
});
