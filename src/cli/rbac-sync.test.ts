import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { listAudit } from '../audit/index.js';
import { type ClusterRead, listSyncRuns, saveSyncRun, syncSource } from '../inventory/index.js';
import { diffGrants } from '../rbac/index.js';
import { openStore } from '../store/index.js';

/** A kubeconfig whose cluster "prod" is a port nothing listens on. */
function unreachableKubeconfig(dir: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: prod, cluster: {server: 'https://127.0.0.1:1'}}]
users: [{name: prod, user: {token: not-a-secret}}]
contexts: [{name: prod, context: {cluster: prod, user: prod}}]
current-context: prod
`,
  );
  return path;
}

describe('gatehouse rbac sync', () => {
  it('is audited as started then succeeded with the run it stored, as the console records a sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rbac-sync-'));
    const env = { GATEHOUSE_HOME: join(dir, 'home') };
    const sync = await cli(['--kubeconfig', unreachableKubeconfig(dir), 'rbac', 'sync'], env);
    // Nothing answers: the run is stored as failed and the command says so.
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toContain('read no RBAC objects');
    const store = await openStore({ dataDir: env.GATEHOUSE_HOME });
    try {
      const [run] = await listSyncRuns(store, 'prod');
      const audit = await listAudit(store, { action: 'rbac.sync' });
      expect(audit.map((entry) => [entry.outcome, entry.target])).toEqual([
        ['started', 'cluster/prod'],
        ['succeeded', 'cluster/prod'],
      ]);
      expect(audit[0]?.actor).toBeTruthy();
      expect(audit[1]?.details).toMatchObject({ run: run!.id, status: 'failed' });
    } finally {
      await store.close();
    }
  });

  it('is audited as failed, with the cause, when the cluster cannot be reached at all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rbac-sync-'));
    const env = { GATEHOUSE_HOME: join(dir, 'home') };
    const sync = await cli(
      ['--kubeconfig', unreachableKubeconfig(dir), '--context', 'nowhere', 'rbac', 'sync'],
      env,
    );
    expect(sync.code).not.toBe(0);
    const store = await openStore({ dataDir: env.GATEHOUSE_HOME });
    try {
      const audit = await listAudit(store, { action: 'rbac.sync' });
      expect(audit.map((entry) => [entry.outcome, entry.target])).toEqual([
        ['started', 'cluster/nowhere'],
        ['failed', 'cluster/nowhere'],
      ]);
      expect(String(audit[1]?.details.error)).toContain('nowhere');
    } finally {
      await store.close();
    }
  });
});

describe('gatehouse rbac diff', () => {
  it('prints the grants added and removed between the last two runs, as the whole snapshots give them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rbac-diff-'));
    const env = { GATEHOUSE_HOME: join(dir, 'home') };
    const read = (subjects: string[]): ClusterRead => ({
      namespaces: [{ metadata: { name: 'payments' } }],
      serviceAccounts: [],
      roles: [
        {
          kind: 'Role',
          metadata: { name: 'reader', namespace: 'payments' },
          rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
        },
      ],
      clusterRoles: [],
      roleBindings: subjects.map((name) => ({
        kind: 'RoleBinding' as const,
        metadata: { name: `read-${name}`, namespace: 'payments' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role' as const, name: 'reader' },
        subjects: [{ kind: 'User' as const, name, apiGroup: 'rbac.authorization.k8s.io' }],
      })),
      clusterRoleBindings: [],
      awsAuth: undefined,
      resourceVersions: {},
      errors: [],
    });
    const store = await openStore({ dataDir: env.GATEHOUSE_HOME });
    let expected: ReturnType<typeof diffGrants>;
    try {
      for (const [hour, subjects] of [
        [1, ['alice', 'bob']],
        [2, ['bob', 'carol']],
      ] as const) {
        const at = `2026-12-01T0${hour}:00:00.000Z`;
        await saveSyncRun(
          store,
          {
            cluster: 'prod',
            server: 'x',
            startedAt: at,
            finishedAt: at,
            status: 'succeeded',
            counts: {},
            resourceVersions: {},
            errors: [],
          },
          read([...subjects]),
        );
      }
      const [to, from] = await listSyncRuns(store, 'prod');
      expected = diffGrants(
        (await syncSource(store, 'prod', from!.id)).index,
        (await syncSource(store, 'prod', to!.id)).index,
      );
    } finally {
      await store.close();
    }
    const diff = await cli(['--kubeconfig', unreachableKubeconfig(dir), 'rbac', 'diff', '-o', 'json'], env);
    expect(diff.code).toBe(0);
    const printed = JSON.parse(diff.stdout) as { added: unknown; removed: unknown };
    expect({ added: printed.added, removed: printed.removed }).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(JSON.stringify(printed.added)).toContain('User:carol');
    expect(JSON.stringify(printed.removed)).toContain('User:alice');
  });
});
