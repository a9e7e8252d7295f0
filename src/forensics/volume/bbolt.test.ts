import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bboltLines, ensureVolumeTools, type VolumeTools } from '../../../test/volumes/tools.js';
import { AppError } from '../../errors.js';
import { type BoltBucket, openBolt } from './bbolt.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

let tools: VolumeTools;
let dir: string;
const files: Record<'mixed' | 'wide', string> = { mixed: '', wide: '' };

beforeAll(() => {
  tools = ensureVolumeTools();
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-bbolt-'));
  for (const shape of ['mixed', 'wide'] as const) {
    files[shape] = join(dir, `${shape}.db`);
    execFileSync(tools.fixture, [files[shape], shape]);
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every bucket path under `bucket`, depth first, as the bbolt command would name them. */
function bucketPaths(bucket: BoltBucket, path: string[] = []): { path: string[]; bucket: BoltBucket }[] {
  return [...bucket.entries()].flatMap((entry) => {
    if (entry.kind !== 'bucket') return [];
    const childPath = [...path, Buffer.from(entry.key).toString('utf8')];
    return [{ path: childPath, bucket: entry.bucket }, ...bucketPaths(entry.bucket, childPath)];
  });
}

function withPage(file: string, change: (bytes: Buffer) => void): Uint8Array {
  const bytes = readFileSync(file);
  change(bytes);
  return bytes;
}

/** The first branch page of a file with 4 KiB pages (the generator's). */
function firstBranchPage(bytes: Buffer): number {
  for (let id = 2; (id + 1) * 4096 <= bytes.byteLength; id++) {
    if (bytes.readUInt16LE(id * 4096 + 8) === 0x01 && bytes.readBigUInt64LE(id * 4096) === BigInt(id))
      return id;
  }
  throw new Error('the wide fixture has no branch page');
}

describe('the bbolt reader against the bbolt command', () => {
  it('lists the same buckets, keys and values as the bbolt command for nested, inline and overflow data', () => {
    const db = openBolt(readFileSync(files.mixed));
    const top = [...db.root.entries()].map((entry) => Buffer.from(entry.key).toString('utf8'));
    expect(top).toEqual(bboltLines(tools, ['buckets', files.mixed]));
    const paths = bucketPaths(db.root);
    expect(paths.map(({ path }) => path.join('/'))).toEqual([
      'large',
      'outer',
      'outer/empty',
      'outer/inner',
      'outer/inner/deeper',
      'small',
    ]);
    let values = 0;
    for (const { path, bucket } of paths) {
      const entries = [...bucket.entries()];
      expect(entries.map((entry) => hex(entry.key))).toEqual(
        bboltLines(tools, ['keys', '--format', 'hex', files.mixed, ...path]),
      );
      for (const entry of entries) {
        if (entry.kind !== 'value') continue;
        const [expected] = bboltLines(tools, [
          'get',
          '--format',
          'hex',
          files.mixed,
          ...path,
          Buffer.from(entry.key).toString(),
        ]);
        expect(hex(entry.value)).toEqual(expected);
        expect(hex(bucket.get(entry.key)!)).toEqual(expected);
        values++;
      }
    }
    expect(values).toBe(10);
    expect(db.root.bucket('small')!.inline).toBe(true);
    expect(db.root.bucket('outer')!.bucket('inner')!.bucket('deeper')!.inline).toBe(true);
    expect(db.root.bucket('large')!.inline).toBe(false);
    expect(db.root.bucket('large')!.get('big-3')!.byteLength).toBe(300_000);
  });

  it('walks a bucket whose tree has branch pages above branch pages and finds keys by lookup', () => {
    const db = openBolt(readFileSync(files.wide));
    const many = db.root.bucket('many')!;
    const keys = [...many.entries()].map((entry) => hex(entry.key));
    expect(keys).toHaveLength(60_300);
    expect(keys).toEqual(bboltLines(tools, ['keys', '--format', 'hex', files.wide, 'many']));
    const branches = bboltLines(tools, ['pages', files.wide]).filter((line) => /\sbranch\s/.test(line));
    expect(branches.length).toBeGreaterThan(6);
    for (const index of [0, 1, 4_999, 30_000, 59_999]) {
      const key = Buffer.alloc(8);
      key.writeBigUInt64BE(BigInt(index * 7919));
      expect(Buffer.from(many.get(key)!).toString()).toBe(`row ${index}`);
      expect(
        bboltLines(tools, ['get', '--parse-format', 'hex', files.wide, 'many', key.toString('hex')]),
      ).toEqual([`row ${index}`]);
    }
    expect(many.get(Buffer.from('not-a-key'))).toBeUndefined();
    expect(many.get('sub-007')).toBeUndefined();
    expect(Buffer.from(many.bucket('sub-007')!.get('n')!).toString()).toBe('7');
  });
});

describe('the bbolt reader on damaged or foreign files', () => {
  it('falls back to the older meta page when the newer one fails its checksum', () => {
    const bytes = withPage(files.mixed, (file) => {
      file[16 + 30] = (file[16 + 30] ?? 0) ^ 0xff;
    });
    const db = openBolt(bytes);
    expect(db.txid).toBe(1);
    expect([...db.root.entries()]).toEqual([]);
    expect(openBolt(readFileSync(files.mixed)).txid).toBe(2);
  });

  it('refuses a file with no valid meta page, naming both', () => {
    const bytes = withPage(files.mixed, (file) => {
      file[16] = 0;
      file[4096 + 16] = 0;
    });
    expect(() => openBolt(bytes)).toThrow(
      /no valid meta page \(meta page 0: no bbolt magic number; meta page 1/,
    );
    expect(() => openBolt(new TextEncoder().encode('#!/bin/sh\necho not a database\n'))).toThrow(AppError);
  });

  it('refuses a truncated copy before reading pages that are not there', () => {
    const bytes = readFileSync(files.wide).subarray(0, 256 * 1024);
    expect(() => openBolt(bytes)).toThrow(/truncated copy/);
  });

  it('stops on a branch page that points to itself or past the end of the database', () => {
    for (const child of ['self', 1_000_000]) {
      const bytes = withPage(files.wide, (file) => {
        const id = firstBranchPage(file);
        file.writeBigUInt64LE(BigInt(child === 'self' ? id : child), id * 4096 + 16 + 8);
      });
      const many = openBolt(bytes).root.bucket('many')!;
      const error = (() => {
        try {
          for (const _ of many.entries());
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(
        child === 'self' ? /reached twice|deeper than/ : /outside the database/,
      );
    }
  });

  it('refuses an element whose key points outside its page', () => {
    const bytes = withPage(files.mixed, (file) => {
      const rootPage = Number(file.readBigUInt64LE(16 + 16));
      file.writeUInt32LE(0x7fff_0000, rootPage * 4096 + 16 + 4);
    });
    expect(() => [...openBolt(bytes).root.entries()]).toThrow(/points outside the page/);
  });
});
