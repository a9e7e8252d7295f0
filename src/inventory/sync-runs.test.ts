import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import type { Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';
import { findSyncRun, listSyncRuns, loadSyncSnapshot, saveSyncRun } from './sync-runs.js';

const read: ClusterRead = {
  namespaces: [{ metadata: { name: 'dev' } }],
  serviceAccounts: [],
  roles: [],
  clusterRoles: [
    {
      kind: 'ClusterRole',
      metadata: { name: 'reader' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
    },
  ],
  roleBindings: [],
  clusterRoleBindings: [],
  awsAuth: undefined,
  resourceVersions: { clusterRoles: '42' },
  errors: [{ resource: 'roles.rbac.authorization.k8s.io', code: 'auth.forbidden', message: 'forbidden' }],
};

describe.each(dialects)('sync runs on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
  });
  async function open(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  }
  const run = (startedAt: string) => ({
    cluster: 'prod',
    server: 'https://prod',
    startedAt,
    finishedAt: startedAt,
    status: 'partial' as const,
    counts: { clusterRoles: 1 },
    resourceVersions: read.resourceVersions,
    errors: read.errors,
  });

  it('keeps every run, newest first, and returns the snapshot each read', async () => {
    const store = await open();
    const first = await saveSyncRun(store, run('2026-11-21T10:00:00.000Z'), read);
    const second = await saveSyncRun(store, run('2026-11-22T10:00:00.000Z'), { ...read, namespaces: [] });
    expect((await listSyncRuns(store, 'prod')).map((r) => r.id)).toEqual([second.id, first.id]);
    expect(await listSyncRuns(store, 'other')).toEqual([]);
    expect((await loadSyncSnapshot(store, first.id)).clusterRoles[0]?.rules).toEqual(
      read.clusterRoles[0]?.rules,
    );
    expect((await loadSyncSnapshot(store, second.id)).namespaces).toEqual([]);
    expect((await findSyncRun(store, first.id.slice(0, 8))).errors).toEqual(read.errors);
  });

  it('names an unknown run and how to list runs', async () => {
    const store = await open();
    await expect(findSyncRun(store, 'deadbeef')).rejects.toThrow('no sync run "deadbeef"');
  });
});
