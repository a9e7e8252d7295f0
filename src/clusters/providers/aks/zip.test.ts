import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { crc32, zipFiles } from './zip.js';

/** Reads an archive the way unzip does: from the end record, through the central directory, to each entry. */
function readZip(zip: Buffer): Record<string, { data: string; crc: number; mode: number }> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: Record<string, { data: string; crc: number; mode: number }> = {};
  for (let index = 0; index < count; index++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    expect(zip.readUInt16LE(at + 10)).toBe(0); // stored
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26);
    const data = zip.subarray(start, start + zip.readUInt32LE(at + 20));
    files[name] = {
      data: data.toString('utf8'),
      crc: zip.readUInt32LE(at + 16),
      mode: zip.readUInt32LE(at + 38) >>> 16,
    };
    expect(crc32(data)).toBe(files[name].crc);
    at += 46 + nameLength;
  }
  return files;
}

describe('run command zip', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('packs files with their relative paths, contents and mode 0644', () => {
    const zip = zipFiles({
      'collect.sh': Buffer.from('#!/bin/sh\necho collected\n'),
      'rules/ünïcode.yaml': Buffer.from('kind: Rule\n'),
      'empty.txt': new Uint8Array(),
    });
    expect(readZip(zip)).toEqual({
      'collect.sh': { data: '#!/bin/sh\necho collected\n', crc: expect.any(Number), mode: 0o100644 },
      'rules/ünïcode.yaml': { data: 'kind: Rule\n', crc: expect.any(Number), mode: 0o100644 },
      'empty.txt': { data: '', crc: 0, mode: 0o100644 },
    });
  });

  it('gives the same bytes for the same files', () => {
    const files = { 'a.txt': Buffer.from('a') };
    expect(zipFiles(files).equals(zipFiles(files))).toBe(true);
  });

  it.each(['../etc/passwd', '/abs', 'a//b', 'dir\\file', ''])('refuses the file name %j', (name) => {
    expect(() => zipFiles({ [name]: Buffer.from('x') })).toThrow(AppError);
  });
});
