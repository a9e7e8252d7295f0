import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeName } from './list.js';

describe('the node’s name from the volume', () => {
  it('takes a plausible host name and ignores terminal escapes or a link to the machine’s own file', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-node-'));
    try {
      mkdirSync(join(root, 'etc'));
      writeFileSync(join(root, 'etc', 'hostname'), 'gke-pool-1-abcd\n');
      expect(nodeName(root)).toBe('gke-pool-1-abcd');
      writeFileSync(join(root, 'etc', 'hostname'), 'node\u001b[31m-red\n');
      expect(nodeName(root)).toBeUndefined();
      rmSync(join(root, 'etc', 'hostname'));
      symlinkSync('/etc/hostname', join(root, 'etc', 'hostname'));
      expect(nodeName(root)).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
