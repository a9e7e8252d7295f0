import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { odHex, paxFile, tarArchive, tarEntry } from '../../../test/support/tar.js';
import { CollectorStreamParser } from '../collectors/stream-parser.js';
import { packagePathLimits } from './placement.js';
import { EvidenceWriter } from './writer.js';

const nonce = 'f00d';
const header = (kind: string, id: string) => `\n##GH1 ${nonce} ${kind} ${id}\n`;
const end = tarArchive([]);

/** Feeds a crafted collector stream through the real parser into a writer on a fresh package. */
function collect(chunks: readonly (Buffer | string)[]) {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
  const log: string[] = [];
  const writer = new EvidenceWriter({ root, method: 'exec', log: (line) => log.push(line) });
  const parser = new CollectorStreamParser({ nonce, sink: writer, maxEntryBytes: 1 << 20 });
  for (const chunk of chunks) parser.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  parser.end();
  writer.finish();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [relative(root, join(dir, name))],
    );
  return {
    items: writer.items,
    log,
    files: walk(root).sort(),
    read: (path: string) => readFileSync(join(root, path), 'utf8'),
    bySource: (source: string) => writer.items.filter((item) => item.source === source),
  };
}

const tarSection = (id: string, ...entries: Buffer[]) => [
  header('tar', id),
  Buffer.concat([...entries, end]),
];

describe('the evidence writer on hostile names', () => {
  it('stores a file and then a directory of the same name, the second under a hashed fallback name', () => {
    const result = collect([
      ...tarSection(
        'files.tmp',
        tarEntry({ name: 'tmp/x', data: 'file x\n' }),
        tarEntry({ name: 'tmp/x/y', data: 'file x/y\n' }),
        tarEntry({ name: 'tmp/z', data: 'after\n' }),
      ),
      header('end', 'done'),
    ]);
    expect(result.read('files/tmp/x')).toBe('file x\n');
    expect(result.read('files/tmp/z')).toBe('after\n');
    const [nested] = result.bySource('/tmp/x/y');
    expect(nested?.path).toMatch(/^renamed\/[0-9a-f]{32}-y$/);
    expect(result.read(nested!.path)).toBe('file x/y\n');
    expect(nested?.anomaly).toContain('already stored as a file');
    expect(result.log.some((line) => line.startsWith('ANOMALY /tmp/x/y: a directory on its path'))).toBe(
      true,
    );
  });

  it('stores an over-long path (long components, deep nesting) under a fallback name and logs the cap', () => {
    const long = `/data/${Array.from({ length: 35 }, (_, index) => `${index}-${'n'.repeat(90)}`).join('/')}/leaf`;
    const deep = `/tmp/${'d/'.repeat(1500)}bottom`;
    const huge = `/tmp/${'c'.repeat(3000)}`;
    const beyond = `/tmp/${'b/'.repeat(3000)}end`;
    const result = collect([
      ...tarSection(
        'files.data',
        paxFile(long, 'long\n'),
        paxFile(deep, 'deep\n'),
        paxFile(huge, 'one huge component\n'),
        paxFile(beyond, 'past PATH_MAX\n'),
      ),
      header('end', 'done'),
    ]);
    const [longItem] = result.bySource(long);
    expect(longItem?.path).toMatch(/^renamed\/[0-9a-f]{32}-leaf$/);
    expect(result.read(longItem!.path)).toBe('long\n');
    expect(longItem?.anomaly).toContain(`caps: ${packagePathLimits.maxBytes} bytes`);
    const [deepItem] = result.bySource(deep);
    expect(deepItem?.path).toMatch(/^renamed\/[0-9a-f]{32}-bottom$/);
    expect(deepItem?.anomaly).toContain('1503 levels deep');
    // One component over the filesystem's limit is shortened with a hash; it needs no fallback.
    expect(result.bySource(huge)[0]?.path).toMatch(/^files\/tmp\/c+~[0-9a-f]{16}$/);
    // Past PATH_MAX even the record of its source is shortened, with the hash of the whole.
    const beyondItem = result.items.find((item) => item.source.startsWith('/tmp/b/b/'));
    expect(beyondItem?.source).toMatch(/…\[6008 characters, sha256 [0-9a-f]{64}\]$/);
    expect(result.read(beyondItem!.path)).toBe('past PATH_MAX\n');
    for (const file of result.files) expect(Buffer.byteLength(file)).toBeLessThanOrEqual(1024 + 16);
    expect(result.log.filter((line) => line.includes('levels deep (caps:'))).toHaveLength(3);
  });

  it('keeps a repeated section id as a .dup-N copy and records it as an anomaly', () => {
    const result = collect([
      header('hex', 'live.date'),
      odHex(Buffer.from('first\n')),
      header('hex', 'live.date'),
      odHex(Buffer.from('forged\n')),
      header('raw', 'live.date'),
      'third\n',
      header('end', 'done'),
    ]);
    expect(result.read('live/live.date.out')).toBe('first\n');
    expect(result.read('live/live.date.out.dup-2')).toBe('forged\n');
    expect(result.read('live/live.date.out.dup-3')).toBe('third\n');
    expect(result.log.filter((line) => line.includes('section live.date was sent again'))).toHaveLength(2);
  });

  it('keeps going through thousands of entries of one name, each stored once', () => {
    const entries = Array.from({ length: 3000 }, () => tarEntry({ name: 'tmp/same', data: 'x' }));
    const started = Date.now();
    const result = collect([...tarSection('files.tmp', ...entries), header('end', 'done')]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(new Set(result.items.map((item) => item.path)).size).toBe(3000);
    expect(result.files).toHaveLength(3000);
  });

  it('records an entry whose modification time is past any calendar date, without a date', () => {
    const entry = tarEntry({ name: 'tmp/future', data: 'from far ahead\n' });
    // GNU base-256: the top bit of the mtime field set, then 2^50 seconds.
    entry.fill(0, 136, 148);
    entry[136] = 0x80;
    entry[141] = 0x04;
    let sum = 0;
    entry.fill(0x20, 148, 156);
    for (const byte of entry.subarray(0, 512)) sum += byte;
    entry.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const result = collect([...tarSection('files.tmp', entry), header('end', 'done')]);
    expect(result.bySource('/tmp/future')[0]).toMatchObject({ path: 'files/tmp/future', mtime: undefined });
    expect(result.read('files/tmp/future')).toBe('from far ahead\n');
  });

  it('keeps each anomaly on one log line, whatever newlines the container put in its names', () => {
    const result = collect([
      ...tarSection(
        'files.tmp',
        tarEntry({ name: 'tmp/a\u001b[2J\nANOMALY forged line', data: 'x', size: 2_000_000 }),
      ),
      header('end', 'done'),
    ]);
    expect(result.log.some((line) => line.includes('over the size cap'))).toBe(true);
    for (const line of result.log) {
      expect(line).not.toContain('\n');
      expect(line).not.toContain('\u001b');
    }
  });
});
