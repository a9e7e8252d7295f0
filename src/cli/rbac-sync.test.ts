import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { listAudit } from '../audit/index.js';
import { listSyncRuns } from '../inventory/index.js';
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
