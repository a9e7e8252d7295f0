import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { openStore } from './index.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the data directory and the SQLite files', () => {
  it('are private even when the directory was made first for config.yaml by a umask-022 shell', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-perm-')), 'home');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'config.yaml'), 'output: table\n');
    const store = await openStore({ dataDir });
    try {
      await store.db
        .insertInto('leases')
        .values({ name: 'x', holder: 'y', expires_at: 'z', updated_at: 'z' })
        .execute();
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'gatehouse.db'))).toBe(0o600);
      expect(modeOf(join(dataDir, 'gatehouse.db-wal'))).toBe(0o600);
      expect(store.notices).toEqual([expect.stringContaining(`${dataDir} was mode 0755`)]);
    } finally {
      await store.close();
    }
  });

  it('are tightened at start when found loose, and the CLI says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-perm-'));
    const first = await openStore({ dataDir });
    await first.close();
    chmodSync(join(dataDir, 'gatehouse.db'), 0o644);
    chmodSync(dataDir, 0o755);
    const run = await cli(['audit', 'verify'], { GATEHOUSE_HOME: dataDir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`warning: ${dataDir} was mode 0755`);
    expect(run.stderr).toContain(`warning: ${join(dataDir, 'gatehouse.db')} was mode 0644`);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'gatehouse.db'))).toBe(0o600);
  });

  it('refuses a shared sticky directory like /tmp instead of locking others out of it', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'gatehouse-shared-'));
    chmodSync(shared, 0o1777);
    await expect(openStore({ dataDir: shared })).rejects.toThrow(/shared \(sticky\) directory/);
    expect(statSync(shared).mode & 0o1777).toBe(0o1777);
  });
});
