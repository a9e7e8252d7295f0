import { afterEach, describe, expect, it } from 'vitest';
import { random, randomRbac } from '../../test/support/random-rbac.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { aggregateClusterRoles, diffGrants } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';
import { diffRuns } from './run-diff.js';
import { syncSource } from './source.js';
import { indexedRunsKept } from './subject-index.js';
import { saveSyncRun } from './sync-runs.js';

function readOf(rbac: ReturnType<typeof randomRbac>): ClusterRead {
  return {
    namespaces: rbac.namespaces.map((name) => ({ metadata: { name } })),
    serviceAccounts: [],
    roles: rbac.roles,
    clusterRoles: aggregateClusterRoles(rbac.clusterRoles),
    roleBindings: rbac.roleBindings,
    clusterRoleBindings: rbac.clusterRoleBindings,
    awsAuth: undefined,
    resourceVersions: {},
    errors: [],
  };
}

/**
 * A later read of the same cluster: some bindings and roles dropped, some edited in place (the
 * same name bound to another role or other subjects, other rules), a few added.
 */
function laterRead(seed: number): { before: ClusterRead; after: ClusterRead } {
  const before = readOf(randomRbac(seed, 0));
  const other = readOf(randomRbac(seed + 1000, 0));
  const next = random(seed + 7);
  const edit = <T>(items: readonly T[], others: readonly T[], keep: (item: T, other: T) => T) =>
    items.flatMap((item, n) => {
      const roll = next();
      if (roll < 0.1) return [];
      if (roll < 0.25 && others[n]) return [keep(item, others[n]!)];
      return [item];
    });
  const after: ClusterRead = {
    ...before,
    roles: edit(before.roles, other.roles, (role, from) => ({ ...role, rules: from.rules })),
    clusterRoles: edit(before.clusterRoles, other.clusterRoles, (role, from) => ({
      ...role,
      rules: from.rules,
    })),
    roleBindings: [
      ...edit(before.roleBindings, other.roleBindings, (binding, from) => ({
        ...binding,
        roleRef: from.roleRef,
        ...(from.subjects ? { subjects: from.subjects } : {}),
      })),
      ...other.roleBindings.slice(0, 3).map((binding) => ({
        ...binding,
        metadata: { ...binding.metadata, name: `${binding.metadata.name}-new` },
      })),
    ],
    clusterRoleBindings: edit(before.clusterRoleBindings, other.clusterRoleBindings, (binding, from) => ({
      ...binding,
      ...(from.subjects ? { subjects: from.subjects } : {}),
    })),
  };
  return { before, after };
}

async function save(store: Store, read: ClusterRead, hour: number, cluster = 'prod') {
  const at = `2026-12-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
  return await saveSyncRun(
    store,
    {
      cluster,
      server: 'x',
      startedAt: at,
      finishedAt: at,
      status: 'succeeded',
      counts: {},
      resourceVersions: {},
      errors: [],
    },
    read,
  );
}

async function wholeDiff(store: Store, from: string, to: string, cluster = 'prod') {
  const [before, after] = [await syncSource(store, cluster, from), await syncSource(store, cluster, to)];
  return diffGrants(before.index, after.index);
}

describe.each(dialects)('what changed between two runs, on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('reads from rows exactly the grants added and removed that both whole snapshots give, in the same order', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    let changes = 0;
    for (const seed of [31, 32, 33, 34]) {
      const { before, after } = laterRead(seed);
      // A cluster each: a cluster keeps the subject index of its newest few runs only.
      const cluster = `prod-${seed}`;
      const from = await save(fresh.store, before, 1, cluster);
      const to = await save(fresh.store, after, 2, cluster);
      const diff = await diffRuns(fresh.store, { from: from.id, to: to.id });
      expect(diff.readFrom).toBe('rows');
      const whole = await wholeDiff(fresh.store, from.id, to.id, cluster);
      expect({ added: diff.added, removed: diff.removed }).toEqual(whole);
      // And backwards: what was added one way is removed the other.
      const back = await diffRuns(fresh.store, { from: to.id, to: from.id });
      expect({ added: back.added, removed: back.removed }).toEqual(
        await wholeDiff(fresh.store, to.id, from.id, cluster),
      );
      changes += whole.added.length + whole.removed.length;
    }
    expect(changes).toBeGreaterThan(100);
  });

  it('finds nothing between a run and an identical one', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const read = readOf(randomRbac(41, 0));
    const [from, to] = [await save(fresh.store, read, 1), await save(fresh.store, read, 2)];
    expect(await diffRuns(fresh.store, { from: from.id, to: to.id })).toEqual({
      added: [],
      removed: [],
      readFrom: 'rows',
    });
  });

  it('gives the same answer for runs stored before digests (from their rows, once) and for runs past the index (whole)', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { before, after } = laterRead(51);
    const oldest = await save(fresh.store, before, 1);
    const runs = [oldest];
    for (let hour = 2; hour <= indexedRunsKept + 1; hour++)
      runs.push(await save(fresh.store, hour % 2 === 0 ? after : before, hour));
    const [, from, to] = runs as [unknown, { id: string }, { id: string }];
    // As a run indexed before this store kept digests.
    await fresh.store.db.deleteFrom('sync_grant_digests').where('run_id', '=', from.id).execute();
    await fresh.store.db.deleteFrom('sync_role_digests').where('run_id', '=', from.id).execute();
    const fromRows = await diffRuns(fresh.store, { from: from.id, to: to.id });
    expect(fromRows.readFrom).toBe('rows');
    expect({ added: fromRows.added, removed: fromRows.removed }).toEqual(
      await wholeDiff(fresh.store, from.id, to.id),
    );
    const kept = await fresh.store.db
      .selectFrom('sync_grant_digests')
      .select('namespace')
      .where('run_id', '=', from.id)
      .execute();
    expect(kept.length).toBeGreaterThan(0);
    const roleDigest = await fresh.store.db
      .selectFrom('sync_role_digests')
      .select('digest')
      .where('run_id', '=', from.id)
      .executeTakeFirst();
    expect(roleDigest?.digest).toMatch(/^[0-9a-f]{64}$/);
    const whole = await diffRuns(fresh.store, { from: oldest.id, to: to.id });
    expect(whole.readFrom).toBe('snapshots');
    expect({ added: whole.added, removed: whole.removed }).toEqual(
      await wholeDiff(fresh.store, oldest.id, to.id),
    );
  });
});
