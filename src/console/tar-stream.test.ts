import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clip } from './evidence-sections.js';
import { tarFiles } from './tar-stream.js';

async function archive(root: string, paths: string[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarFiles(root, 'pkg', paths)) chunks.push(chunk);
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-tar-')), 'out.tar');
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

describe('the package archive', () => {
  it('holds every file with its bytes, long and non-ASCII names included, as tar reads it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-tar-src-'));
    const long = `files/${'deep/'.repeat(30)}naïve name.txt`;
    const files: Record<string, string | Buffer> = {
      'manifest.json': '{}\n',
      empty: '',
      [long]: 'x'.repeat(1500),
      'files/bin': Buffer.from([0, 1, 2, 255]),
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const file = await archive(root, Object.keys(files));
    const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(Object.keys(files).map((path) => `pkg/${path}`));
    const out = mkdtempSync(join(tmpdir(), 'gatehouse-tar-out-'));
    execFileSync('tar', ['-xf', file, '-C', out]);
    for (const [path, content] of Object.entries(files))
      expect(execFileSync('cat', [join(out, 'pkg', path)])).toEqual(Buffer.from(content));
  });
});

describe('quoted evidence', () => {
  it('is clipped, saying how much was left out', () => {
    expect(clip('short')).toBe('short');
    expect(clip('a'.repeat(450))).toBe(`${'a'.repeat(400)}… (50 more characters)`);
  });
});
