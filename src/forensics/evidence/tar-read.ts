import { closeSync, existsSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../errors.js';

const block = 512;
const chunk = 1 << 20;
/** A PAX header only names a file; anything larger is a hostile size claim, refused before it is read. */
const maxPaxBytes = 64 * 1024;

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const got = readSync(fd, buffer, read, length - read, position + read);
    if (got === 0) break;
    read += got;
  }
  return buffer.subarray(0, read);
}

const field = (header: Buffer, start: number, length: number) =>
  header
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '');

function octal(header: Buffer, start: number, length: number, file: string): number {
  const text = field(header, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw damaged(file, `a size field reads "${text.slice(0, 20)}"`);
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function damaged(file: string, why: string): AppError {
  return new AppError('input.invalid', `${file} is not a readable evidence archive: ${why}`, {
    fix: 'Download the package again from the Evidence page (Download package (.tar))',
  });
}

/** The header's own checksum: the sum of its bytes with the checksum field read as spaces. */
function checksumMatches(header: Buffer, file: string): boolean {
  const stored = octal(header, 148, 8, file);
  let sum = 0;
  for (let at = 0; at < block; at++) sum += at >= 148 && at < 156 ? 0x20 : header[at]!;
  return sum === stored;
}

/** The `path` of a PAX extended header, which names a file longer than ustar's 100 bytes. */
function paxPath(records: Buffer): string | undefined {
  let offset = 0;
  let path: string | undefined;
  while (offset < records.length) {
    const space = records.indexOf(0x20, offset);
    const length = Number.parseInt(records.subarray(offset, space).toString('ascii'), 10);
    if (space < 0 || !Number.isInteger(length) || length <= 0) break;
    const record = records.subarray(space + 1, offset + length - 1).toString('utf8');
    if (record.startsWith('path=')) path = record.slice(5);
    offset += length;
  }
  return path;
}

/** A name inside the archive as a safe relative path: no absolute path, no `..`, nothing empty. */
function safeName(name: string, file: string): string[] {
  if (name.includes('\0'))
    throw damaged(file, `the entry "${name.slice(0, 120)}" holds a NUL byte in its name`);
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (name.startsWith('/') || parts.length === 0 || parts.some((part) => part === '..'))
    throw damaged(file, `it holds the entry "${name.slice(0, 120)}", which points outside its folder`);
  return parts;
}

interface Entry {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly dataAt: number;
}

/** The entries of the archive, a PAX path record applied to the entry after it. */
function* entries(fd: number, file: string): Generator<Entry> {
  let position = 0;
  let longName: string | undefined;
  for (;;) {
    const header = readExactly(fd, block, position);
    if (header.length < block) throw damaged(file, 'it ends in the middle of an entry');
    if (header.every((byte) => byte === 0)) return;
    if (!checksumMatches(header, file))
      throw damaged(file, `the header at byte ${position}: header checksum does not match`);
    const size = octal(header, 124, 12, file);
    const type = field(header, 156, 1) || '0';
    const prefix = field(header, 257, 6) === 'ustar' ? field(header, 345, 155) : '';
    const plain = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    const dataAt = position + block;
    position = dataAt + Math.ceil(size / block) * block;
    if (type === 'x') {
      if (size > maxPaxBytes)
        throw damaged(file, `an extended header of ${size} bytes (at most ${maxPaxBytes} name a file)`);
      longName = paxPath(readExactly(fd, size, dataAt));
      continue;
    }
    if (type === 'g') continue;
    yield { name: longName ?? plain, type, size, dataAt };
    longName = undefined;
  }
}

/**
 * Unpacks a package archive (`Download package (.tar)`) into a folder and returns the folder the
 * archive holds. Only regular files and folders are accepted, all under one top folder: links and
 * devices never belong to a package, and a name leading outside is refused, never followed.
 *
 * @example
 * const { top } = extractPackageTar('20261201T0800Z-0123abcd.tar', mkdtempSync(join(tmpdir(), 'verify-')));
 */
export function extractPackageTar(file: string, into: string): { readonly top: string } {
  const fd = openSync(file, 'r');
  const tops = new Set<string>();
  try {
    for (const entry of entries(fd, file)) {
      const parts = safeName(entry.name, file);
      tops.add(parts[0]!);
      if (tops.size > 1) throw damaged(file, 'it holds more than one top folder');
      const target = join(into, ...parts);
      if (entry.type === '5') {
        mkdirSync(target, { recursive: true });
        continue;
      }
      if (entry.type !== '0' && entry.type !== '7')
        throw damaged(file, `"${entry.name.slice(0, 120)}" is not a regular file (tar type ${entry.type})`);
      mkdirSync(dirname(target), { recursive: true });
      if (existsSync(target)) throw damaged(file, `"${entry.name.slice(0, 120)}" is listed twice`);
      const out = openSync(target, 'wx', 0o600);
      try {
        for (let done = 0; done < entry.size; done += chunk) {
          const wanted = Math.min(chunk, entry.size - done);
          const bytes = readExactly(fd, wanted, entry.dataAt + done);
          if (bytes.length < wanted) throw damaged(file, `"${entry.name.slice(0, 120)}" is cut short`);
          writeSync(out, bytes);
        }
      } finally {
        closeSync(out);
      }
    }
  } finally {
    closeSync(fd);
  }
  const [top] = tops;
  if (!top) throw damaged(file, 'it holds no files');
  return { top };
}
