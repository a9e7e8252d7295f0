import { countsOf, type SyncRun, saveSyncRun } from '../../src/inventory/index.js';
import type { Store } from '../../src/store/index.js';
import { reviewRead } from './review-read.js';

/** Stores a succeeded sync of `cluster` (default prod) reading the small review cluster; returns the run. */
export async function seedReviewRun(store: Store, cluster = 'prod'): Promise<SyncRun> {
  const read = reviewRead();
  const at = new Date().toISOString();
  return await saveSyncRun(
    store,
    {
      cluster,
      server: `https://${cluster}`,
      startedAt: at,
      finishedAt: at,
      status: 'succeeded',
      counts: countsOf(read),
      resourceVersions: {},
      errors: [],
    },
    read,
  );
}
