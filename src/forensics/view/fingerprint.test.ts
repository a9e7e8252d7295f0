import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from './fingerprint.js';

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-fingerprint-'));
  mkdirSync(join(root, 'files'));
  writeFileSync(join(root, 'files/a'), 'one\n');
  writeFileSync(join(root, 'manifest.json'), '{}\n');
  return root;
}

describe('the fingerprint of a package on disk', () => {
  it('stays the same while nothing is touched', () => {
    const root = folder();
    expect(fingerprintOf(root)).toBe(fingerprintOf(root));
  });

  it('changes when a file is rewritten to the same size with its times set back', () => {
    const root = folder();
    const before = fingerprintOf(root);
    const { atime, mtime } = statSync(join(root, 'files/a'));
    writeFileSync(join(root, 'files/a'), 'two\n');
    utimesSync(join(root, 'files/a'), atime, mtime);
    expect(fingerprintOf(root)).not.toBe(before);
  });

  it('changes when a file is added, or replaced by another of the same content', () => {
    const root = folder();
    const before = fingerprintOf(root);
    writeFileSync(join(root, 'files/b'), '');
    const added = fingerprintOf(root);
    expect(added).not.toBe(before);
    writeFileSync(join(root, 'copy'), 'one\n');
    renameSync(join(root, 'copy'), join(root, 'files/a'));
    expect(fingerprintOf(root)).not.toBe(added);
  });

  it('changes when a file grows', () => {
    const root = folder();
    const before = fingerprintOf(root);
    appendFileSync(join(root, 'manifest.json'), ' ');
    expect(fingerprintOf(root)).not.toBe(before);
  });
});
