/**
 * A tar reader for hostile input: it never touches the filesystem itself and hands out only
 * header facts and content chunks. ustar, GNU long names (L/K) and pax `path`/`linkpath`/`size`
 * records are understood; anything else is reported as it is, never trusted.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

export interface TarEntry {
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly linkTarget: string;
}

const block = 512;

/** Parses a numeric tar field: octal text, or GNU base-256 when the top bit is set. */
export function tarNumber(field: Buffer): number {
  if (field.length > 0 && (field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return Number.isSafeInteger(value) ? value : Number.NaN;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
}

function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** True when the 512 bytes are a valid header: the checksum covers the block as tar defines it. */
export function isHeader(header: Buffer): boolean {
  if (header.length < block) return false;
  const stored = tarNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return stored === sum;
}

export function isZeroBlock(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    case '3':
    case '4':
      return 'device';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

export interface HeaderResult {
  /** A finished entry, or a metadata record (L, K, x) whose data must be read next. */
  readonly kind: 'entry' | 'longname' | 'longlink' | 'pax' | 'global';
  readonly entry: TarEntry;
}

/** Decodes one header block, applying pending long-name and pax overrides. */
export function decodeHeader(
  header: Buffer,
  overrides: { path?: string; linkTarget?: string; size?: number },
): HeaderResult {
  const flag = String.fromCharCode(header[156]!);
  const prefix = text(header.subarray(345, 500));
  const name = text(header.subarray(0, 100));
  const magic = header.subarray(257, 263).toString('latin1');
  const path = overrides.path ?? (magic.startsWith('ustar') && prefix ? `${prefix}/${name}` : name);
  const entry: TarEntry = {
    path,
    type: typeOf(flag),
    size: overrides.size ?? tarNumber(header.subarray(124, 136)),
    mode: tarNumber(header.subarray(100, 108)),
    uid: tarNumber(header.subarray(108, 116)),
    gid: tarNumber(header.subarray(116, 124)),
    mtime: tarNumber(header.subarray(136, 148)),
    linkTarget: overrides.linkTarget ?? text(header.subarray(157, 257)),
  };
  const kind =
    flag === 'L'
      ? 'longname'
      : flag === 'K'
        ? 'longlink'
        : flag === 'x'
          ? 'pax'
          : flag === 'g'
            ? 'global'
            : 'entry';
  return { kind, entry };
}

/** pax records: `<length> <key>=<value>\n`, repeated. Malformed records end the parse. */
export function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(data.subarray(offset, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

export const tarBlock = block;
