import { crc32 as zlibCrc32 } from 'node:zlib';
import { AppError } from '../../../errors.js';

// A stored (uncompressed) ZIP, as `az aks command invoke --file` sends: enough for the command pod
// to unpack its files, and small enough to write here instead of adding a dependency.

/** CRC-32 (IEEE), as ZIP headers carry it. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data);
}

const utf8Names = 0x0800;
// 1980-01-01 00:00, the first DOS date: the same files always give the same bytes.
const dosDate = (0 << 9) | (1 << 5) | 1;
const maxBytes = 0xffffffff;

function checkName(name: string): void {
  const parts = name.split('/');
  if (!name || name.startsWith('/') || name.includes('\\') || parts.some((part) => part === '..' || !part))
    throw new AppError('input.invalid', `file name "${name}" cannot be sent with an AKS run command`, {
      fix: 'Use relative paths such as collector.sh or config/rules.yaml, without .. or empty segments',
    });
}

interface Entry {
  readonly name: Buffer;
  readonly data: Uint8Array;
  readonly crc: number;
}

/** The fields local and central headers share, from "version needed" to "extra field length" (0). */
function writeShared(buffer: Buffer, at: number, entry: Entry): void {
  buffer.writeUInt16LE(20, at); // version 2.0 reads it
  buffer.writeUInt16LE(utf8Names, at + 2);
  buffer.writeUInt16LE(0, at + 4); // stored, not compressed
  buffer.writeUInt16LE(0, at + 6); // time 00:00
  buffer.writeUInt16LE(dosDate, at + 8);
  buffer.writeUInt32LE(entry.crc, at + 10);
  buffer.writeUInt32LE(entry.data.byteLength, at + 14);
  buffer.writeUInt32LE(entry.data.byteLength, at + 18);
  buffer.writeUInt16LE(entry.name.length, at + 22);
}

function localHeader(entry: Entry): Buffer {
  const buffer = Buffer.alloc(30);
  buffer.writeUInt32LE(0x04034b50, 0);
  writeShared(buffer, 4, entry);
  return buffer;
}

function centralHeader(entry: Entry, offset: number): Buffer {
  const buffer = Buffer.alloc(46);
  buffer.writeUInt32LE(0x02014b50, 0);
  // Made by Unix (3), so the upper half of the external attributes is the file mode: 0644.
  buffer.writeUInt16LE((3 << 8) | 20, 4);
  writeShared(buffer, 6, entry);
  buffer.writeUInt32LE(0o100644 * 0x10000, 38);
  buffer.writeUInt32LE(offset, 42);
  return buffer;
}

function endRecord(count: number, directory: Buffer, offset: number): Buffer {
  const buffer = Buffer.alloc(22);
  buffer.writeUInt32LE(0x06054b50, 0);
  buffer.writeUInt16LE(count, 8);
  buffer.writeUInt16LE(count, 10);
  buffer.writeUInt32LE(directory.length, 12);
  buffer.writeUInt32LE(offset, 16);
  return buffer;
}

/**
 * Packs files into a ZIP archive with stored entries and UTF-8 names (no ZIP64: at most 65 535
 * files below 4 GiB).
 *
 * @example
 * const context = zipFiles({ 'collect.sh': script }).toString('base64');
 */
export function zipFiles(files: Readonly<Record<string, Uint8Array>>): Buffer {
  const entries = Object.entries(files);
  if (entries.length > 0xffff)
    throw new AppError('input.invalid', `${entries.length} files are too many for one AKS run command`, {
      fix: 'Send fewer files, e.g. one archive the command unpacks',
    });
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    checkName(name);
    if (data.byteLength >= maxBytes || offset >= maxBytes)
      throw new AppError('input.invalid', `file "${name}" is too large for an AKS run command`, {
        fix: 'Send a smaller file; the command pod can download large ones itself',
      });
    const entry = { name: Buffer.from(name, 'utf8'), data, crc: crc32(data) };
    locals.push(localHeader(entry), entry.name, Buffer.from(data));
    centrals.push(centralHeader(entry, offset), entry.name);
    offset += 30 + entry.name.length + data.byteLength;
  }
  const directory = Buffer.concat(centrals);
  return Buffer.concat([...locals, directory, endRecord(entries.length, directory, offset)]);
}
