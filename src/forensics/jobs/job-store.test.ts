import { afterEach, describe, expect, it } from 'vitest';
import { dialects, type FreshStore, freshStore } from '../../../test/support/stores.js';
import { createJob, readJob, renewJobs, staleAfterMs, writeRow } from './job-store.js';

describe.each(dialects)('console acquisition jobs in the store on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  const newJob = (now: Date) => ({
    operator: 'rita',
    cluster: 'prod',
    namespace: 'shop',
    method: 'exec' as const,
    labels: ['shop/web/php'],
    replica: 'gatehouse-0/1/a',
    now,
  });

  it('keeps a job its replica renews running past the stale time, and ends one it stopped renewing', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    const start = new Date(Date.now() - 2 * staleAfterMs);
    const renewed = await createJob(store, newJob(start));
    const forgotten = await createJob(store, newJob(start));
    await renewJobs(store, [renewed.id], new Date());
    expect((await readJob(store, renewed.id))?.finishedAt).toBeUndefined();
    const ended = await readJob(store, forgotten.id);
    expect(ended?.interrupted).toMatch(
      /^the server replica gatehouse-0\/1\/a running this acquisition stopped/,
    );
    expect(ended?.rows[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^interrupted: /),
    });
  });

  it('stores progress and results with large byte counts, and ignores a late write to an interrupted job', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    const job = await createJob(store, newJob(new Date()));
    await writeRow(store, job.id, 0, {
      label: 'shop/web/php',
      stage: 'files',
      bytes: 6_000_000_000,
      items: 12,
      status: 'running',
    });
    expect((await readJob(store, job.id))?.rows[0]).toEqual({
      label: 'shop/web/php',
      stage: 'files',
      bytes: 6_000_000_000,
      items: 12,
      status: 'running',
    });
    const stale = await createJob(store, newJob(new Date(Date.now() - 2 * staleAfterMs)));
    await readJob(store, stale.id);
    await writeRow(store, stale.id, 0, {
      label: 'shop/web/php',
      stage: 'live',
      bytes: 1,
      items: 1,
      status: 'running',
    });
    expect((await readJob(store, stale.id))?.rows[0]?.status).toBe('failed');
  });

  it('lets exactly as many of ten simultaneous starts by one person through as the limit allows', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    const tries = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        createJob(store, { ...newJob(new Date()), limits: { perPerson: 2, total: 8 } }),
      ),
    );
    expect(tries.filter((outcome) => outcome.status === 'fulfilled').length).toBe(2);
    const refusals = tries.flatMap((outcome) =>
      outcome.status === 'rejected' ? [String(outcome.reason)] : [],
    );
    expect(refusals.every((reason) => reason.includes('the most one person may run at once (2)'))).toBe(true);
  });
});
