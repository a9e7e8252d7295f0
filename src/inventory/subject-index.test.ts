import { afterEach, describe, expect, it } from 'vitest';
import { randomRbac } from '../../test/support/random-rbac.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { aggregateClusterRoles } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';
import { syncSource, userSource } from './source.js';
import { indexedRunsKept } from './subject-index.js';
import { saveSyncRun } from './sync-runs.js';

function randomRead(seed: number): {
  read: ClusterRead;
  requests: ReturnType<typeof randomRbac>['requests'];
} {
  const rbac = randomRbac(seed, 150);
  const read: ClusterRead = {
    namespaces: rbac.namespaces.map((name) => ({ metadata: { name } })),
    serviceAccounts: [],
    roles: rbac.roles,
    // Stored as the apiserver serves them: aggregation already applied.
    clusterRoles: aggregateClusterRoles(rbac.clusterRoles),
    roleBindings: rbac.roleBindings,
    clusterRoleBindings: rbac.clusterRoleBindings,
    awsAuth: undefined,
    resourceVersions: {},
    errors: [],
  };
  return { read, requests: rbac.requests };
}

describe.each(dialects)('the subject index of a sync on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });
  async function open(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  }
  const save = (store: Store, read: ClusterRead, startedAt: string) =>
    saveSyncRun(
      store,
      {
        cluster: 'prod',
        server: 'https://prod',
        startedAt,
        finishedAt: startedAt,
        status: 'succeeded',
        counts: {},
        resourceVersions: {},
        errors: [],
      },
      read,
    );

  it('answers every can-i exactly as the whole snapshot does, naming the same binding', async () => {
    const store = await open();
    for (const seed of [11, 12]) {
      const { read, requests } = randomRead(seed);
      const run = await save(store, read, `2026-12-01T00:00:${seed}Z`);
      const whole = (await syncSource(store, 'prod', run.id)).index;
      for (const request of requests) {
        const user = { name: request.user, groups: request.groups ?? [] };
        const scoped = (await userSource(store, 'prod', user, run.id)).index;
        expect(scoped.authorize(request), JSON.stringify(request)).toEqual(whole.authorize(request));
      }
    }
  });

  it(`keeps the index of the newest ${indexedRunsKept} runs of a cluster; older runs still answer, from the whole snapshot`, async () => {
    const store = await open();
    const { read, requests } = randomRead(13);
    const runs = [];
    for (let n = 0; n < indexedRunsKept + 2; n++)
      runs.push(await save(store, read, `2026-12-01T00:0${n}:00Z`));
    const indexed = await store.db.selectFrom('sync_indexed_runs').select('run_id').execute();
    expect(indexed.map((row) => row.run_id).sort()).toEqual(
      runs
        .slice(2)
        .map((run) => run.id)
        .sort(),
    );
    const oldest = runs[0]!;
    const leftover = await store.db
      .selectFrom('sync_subject_grants')
      .select('run_id')
      .where('run_id', '=', oldest.id)
      .execute();
    expect(leftover).toEqual([]);
    const keys = async (runId: string) =>
      await store.db.selectFrom('sync_rule_keys').select('run_id').where('run_id', '=', runId).execute();
    expect(await keys(oldest.id)).toEqual([]);
    expect((await keys(runs.at(-1)!.id)).length).toBeGreaterThan(0);
    const whole = (await syncSource(store, 'prod', oldest.id)).index;
    for (const request of requests.slice(0, 50)) {
      const user = { name: request.user, groups: request.groups ?? [] };
      expect((await userSource(store, 'prod', user, oldest.id)).index.authorize(request)).toEqual(
        whole.authorize(request),
      );
    }
  });
});
