import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { odHex, tarArchive, tarEntry } from '../../../test/support/tar.js';
import { EvidenceWriter } from '../evidence/writer.js';
import { CollectorStreamParser } from './stream-parser.js';

const nonce = 'abc123';
const header = (kind: string, id: string, withNonce = nonce) => `\n##GH1 ${withNonce} ${kind} ${id}\n`;

function run(
  chunks: readonly (Buffer | string)[],
  options: { chunkSize?: number; maxEntryBytes?: number } = {},
) {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-parse-'));
  const log: string[] = [];
  const writer = new EvidenceWriter({ root, method: 'exec', log: (line) => log.push(line) });
  const parser = new CollectorStreamParser({
    nonce,
    sink: writer,
    maxEntryBytes: options.maxEntryBytes ?? 1 << 20,
  });
  const stream = Buffer.concat(
    chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)),
  );
  const size = options.chunkSize ?? 7;
  for (let offset = 0; offset < stream.length; offset += size)
    parser.write(stream.subarray(offset, offset + size));
  parser.end();
  writer.finish();
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [relative(root, join(dir, name))],
    );
  return {
    root,
    log,
    items: writer.items,
    files: files(root).sort(),
    read: (path: string) => readFileSync(join(root, path), 'utf8'),
  };
}

describe('the collector stream parser', () => {
  it('reads hex sections and a real tar stream, split into tiny chunks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tar-src-'));
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const tar = spawnSync('tar', ['-cf', '-', '--no-recursion', './etc', './etc/passwd'], {
      cwd: dir,
    }).stdout;
    const result = run([
      header('hex', 'live.uname'),
      odHex(Buffer.from('Linux box 6.1\n')),
      header('tar', 'files.etc'),
      tar,
      header('end', 'done'),
    ]);
    expect(result.read('live/live.uname.out')).toBe('Linux box 6.1\n');
    expect(result.read('files/etc/passwd')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(result.items.find((item) => item.path === 'files/etc/passwd')).toMatchObject({
      source: '/etc/passwd',
      artifact: 'files.etc',
      status: 'collected',
      size: 26,
    });
    expect(result.log).toEqual([]);
  });

  it('keeps path traversal, absolute paths and odd names inside the package', () => {
    const archive = tarArchive([
      { name: '../../../../tmp/gatehouse-escape', data: 'x' },
      { name: '/etc/cron.d/evil', data: 'y' },
      { name: './a/../../b', data: 'z' },
      { name: 'dir/\u001b[31mred\nline', data: 'w' },
    ]);
    const result = run([header('tar', 'files.tmp'), archive, header('end', 'done')]);
    expect(existsSync('/tmp/gatehouse-escape')).toBe(false);
    expect(result.files).toEqual([
      'files/%2E%2E/%2E%2E/%2E%2E/%2E%2E/tmp/gatehouse-escape',
      'files/a/%2E%2E/%2E%2E/b',
      'files/dir/%1B%5B31mred%0Aline',
      'files/etc/cron.d/evil',
    ]);
  });

  it('records symlinks, devices and FIFOs as metadata and never creates them', () => {
    const archive = tarArchive([
      { name: 'etc/link', type: '2', linkName: '/etc/shadow' },
      { name: 'dev/sda', type: '3' },
      { name: 'etc/link', data: 'written through a symlink?' },
    ]);
    const result = run([header('tar', 'files.etc'), archive, header('end', 'done')]);
    expect(
      result.items
        .filter((item) => item.status === 'metadata-only')
        .map((item) => [item.source, item.type, item.linkTarget]),
    ).toEqual([
      ['/etc/link', 'symlink', '/etc/shadow'],
      ['/dev/sda', 'device', undefined],
    ]);
    expect(result.read('files/etc/link')).toBe('written through a symlink?');
    expect(result.log.some((line) => line.includes('device entry recorded, not copied'))).toBe(true);
  });

  it('skips the content of an entry over the size cap but stays in step', () => {
    const archive = tarArchive([
      { name: 'tmp/big', data: 'B'.repeat(5000) },
      { name: 'tmp/small', data: 'ok' },
    ]);
    const result = run([header('tar', 'files.tmp'), archive, header('end', 'done')], { maxEntryBytes: 1000 });
    expect(result.read('files/tmp/small')).toBe('ok');
    expect(result.log.some((line) => line.includes('tmp/big: 5000 bytes is over the size cap'))).toBe(true);
  });

  it('ignores forged headers with a wrong nonce and non-hex bytes in hex sections', () => {
    const forged = `${odHex(Buffer.from('real'))}##GH1 wrongnonce tar files.etc\n zz 41\n 21\n`;
    const result = run([header('hex', 'live.id'), forged, header('end', 'done')]);
    expect(result.read('live/live.id.out')).toBe('real!');
    expect(result.log.filter((line) => line.includes('not hex digits'))).toHaveLength(2);
  });

  it('survives a truncated tar, a lying size and a stream cut off without its end marker', () => {
    const lying = tarEntry({ name: 'etc/hosts', data: 'short', size: 999_999 });
    const result = run([header('tar', 'files.etc'), lying]);
    expect(result.log.join('\n')).toMatch(/stream ended inside a tar archive/);
    expect(result.log.join('\n')).toMatch(/without its end marker/);
    expect(result.items[0]).toMatchObject({ source: '/etc/hosts', status: 'partial' });
  });

  it('recovers when a tar section is garbage and continues with the next section', () => {
    const result = run([
      header('tar', 'files.etc'),
      Buffer.alloc(700, 0x41),
      header('hex', 'live.date'),
      odHex(Buffer.from('now')),
      header('end', 'done'),
    ]);
    expect(result.read('live/live.date.out')).toBe('now');
    expect(result.log.join('\n')).toMatch(/neither tar nor a section header|without its end-of-archive/);
  });

  it('treats an empty tar section (nothing to archive) as empty, not truncated', () => {
    const result = run([header('tar', 'files.ssh'), header('end', 'done')]);
    expect(result.log).toEqual([]);
  });
});
