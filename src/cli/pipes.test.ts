import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appendAudit } from '../audit/index.js';
import { openStore } from '../store/index.js';

const entry = fileURLToPath(new URL('../../scripts/gatehouse.ts', import.meta.url));

describe('the CLI on a pipe', () => {
  it('ends quietly when the reader closes the pipe early (audit export | head -1)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-pipe-'));
    const store = await openStore({ dataDir });
    // Far more than a pipe buffer (64 KiB), so the writer is still writing when the reader leaves.
    for (let n = 0; n < 200; n++)
      await appendAudit(store, {
        actor: 'alice',
        action: 'test.fill',
        target: `t/${n}`,
        outcome: 'succeeded',
        details: { padding: 'x'.repeat(4000) },
      });
    await store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', entry, 'audit', 'export'], {
      env: { ...process.env, GATEHOUSE_HOME: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
