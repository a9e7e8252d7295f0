import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';

const block = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number, type: '0' | 'x'): Buffer {
  const buffer = Buffer.alloc(block);
  buffer.write(name, 0, 100, 'utf8');
  buffer.write(octal(0o600, 8), 100);
  buffer.write(octal(0, 8), 108);
  buffer.write(octal(0, 8), 116);
  buffer.write(octal(size, 12), 124);
  buffer.write(octal(Math.floor(mtime), 12), 136);
  buffer.write(' '.repeat(8), 148);
  buffer.write(type, 156);
  buffer.write('ustar\0', 257);
  buffer.write('00', 263);
  let sum = 0;
  for (const byte of buffer) sum += byte;
  buffer.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return buffer;
}

const padding = (size: number) => Buffer.alloc((block - (size % block)) % block);

/** A PAX record `LEN path=VALUE\n`, whose length counts its own digits. */
function paxPath(path: string): Buffer {
  const body = ` path=${path}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + 1;
  while (String(length).length + bytes !== length) length = String(length).length + bytes;
  return Buffer.from(`${length}${body}`);
}

/** The header blocks of one file: a PAX path record first when the name does not fit ustar's 100 bytes. */
function headersFor(name: string, size: number, mtime: number): Buffer[] {
  if (Buffer.byteLength(name) < 100) return [header(name, size, mtime, '0')];
  const record = paxPath(name);
  return [
    header('PaxHeader', record.length, mtime, 'x'),
    record,
    padding(record.length),
    header(name.slice(0, 99), size, mtime, '0'),
  ];
}

/**
 * A tar archive of files under a folder, streamed one file at a time so a large package never sits
 * in memory. Names are `<top>/<path>`; sizes are taken when each file is reached.
 */
export async function* tarFiles(root: string, top: string, paths: readonly string[]): AsyncGenerator<Buffer> {
  for (const path of paths) {
    const file = join(root, path);
    const { size, mtimeMs } = statSync(file);
    yield* headersFor(`${top}/${path}`, size, mtimeMs / 1000);
    let sent = 0;
    for await (const chunk of createReadStream(file, { end: Math.max(0, size - 1), start: 0 })) {
      const bytes = chunk as Buffer;
      if (size === 0) break;
      yield bytes;
      sent += bytes.length;
    }
    // A file that shrank while being sent is padded to its header's size, so the archive stays readable.
    if (sent < size) yield Buffer.alloc(size - sent);
    yield padding(size);
  }
  yield Buffer.alloc(block * 2);
}
