import { afterEach, describe, expect, it } from 'vitest';
import { dialects, type FreshStore, freshStore } from '../../test/support/stores.js';
import { createJob, readJob } from '../forensics/index.js';
import { RowWriter } from './forensics-jobs.js';

describe.each(dialects)('progress of a console job written to the store on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  it('writes a container at most once a second, but every change of stage and every result at once', async () => {
    fresh = await freshStore(dialect);
    const { store } = fresh;
    const job = await createJob(store, {
      operator: 'rita',
      cluster: 'prod',
      namespace: 'shop',
      method: 'exec',
      labels: ['shop/web/php'],
      replica: 'here',
    });
    const rows = new RowWriter(store, job.id, undefined);
    const running = (stage: string, bytes: number) =>
      ({ label: 'shop/web/php', stage, bytes, items: 1, status: 'running' }) as const;
    const stored = async () => {
      await rows.settled();
      return (await readJob(store, job.id))?.rows[0];
    };
    rows.progress(0, running('live', 1));
    for (let bytes = 2; bytes <= 50; bytes++) rows.progress(0, running('live', bytes));
    expect(await stored()).toMatchObject({ stage: 'live', bytes: 1 });
    rows.progress(0, running('files', 60));
    expect(await stored()).toMatchObject({ stage: 'files', bytes: 60 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    rows.progress(0, running('files', 70));
    expect(await stored()).toMatchObject({ stage: 'files', bytes: 70 });
    rows.final(0, {
      label: 'shop/web/php',
      stage: 'files',
      bytes: 71,
      items: 2,
      status: 'failed',
      error: 'gone',
      fix: undefined,
      packageId: undefined,
    });
    expect(await stored()).toMatchObject({ status: 'failed', bytes: 71, error: 'gone' });
  });
});
