/** Builds raw tar bytes, including ones no honest tar would write, for hostile-stream tests and the hostile pod. */
export interface RawEntry {
  readonly name: string;
  readonly type?: '0' | '2' | '3' | '5' | '6' | 'L' | 'x';
  readonly data?: Buffer | string;
  readonly linkName?: string;
  /** Declared size, when it should lie about the data. */
  readonly size?: number;
  readonly mtime?: number;
  readonly mode?: number;
}

function field(value: string, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  buffer.write(value, 'latin1');
  return buffer;
}

function octal(value: number, length: number): Buffer {
  return field(`${value.toString(8).padStart(length - 1, '0')}\0`, length);
}

export function tarHeader(entry: RawEntry): Buffer {
  const data = Buffer.from(entry.data ?? '');
  const header = Buffer.alloc(512);
  field(entry.name.slice(0, 100), 100).copy(header, 0);
  octal(entry.mode ?? 0o644, 8).copy(header, 100);
  octal(0, 8).copy(header, 108);
  octal(0, 8).copy(header, 116);
  octal(entry.size ?? data.length, 12).copy(header, 124);
  octal(entry.mtime ?? 1_790_000_000, 12).copy(header, 136);
  header.write('        ', 148, 'latin1');
  header.write(entry.type ?? '0', 156, 'latin1');
  field(entry.linkName ?? '', 100).copy(header, 157);
  header.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  octal(sum, 7).copy(header, 148);
  return header;
}

export function tarEntry(entry: RawEntry): Buffer {
  const data = Buffer.from(entry.data ?? '');
  const padding = (512 - (data.length % 512)) % 512;
  return Buffer.concat([tarHeader(entry), data, Buffer.alloc(padding)]);
}

export function tarArchive(entries: readonly RawEntry[]): Buffer {
  return Buffer.concat([...entries.map(tarEntry), Buffer.alloc(1024)]);
}

/** `od -An -tx1 -v` formatting of bytes. */
export function odHex(bytes: Buffer): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    lines.push(
      ` ${[...bytes.subarray(offset, offset + 16)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')}`,
    );
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** pax extended-header data: `<length> <key>=<value>\n` records, the length counting itself. */
export function paxRecords(records: Readonly<Record<string, string>>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      let length = Buffer.byteLength(body) + 1;
      while (Buffer.byteLength(`${length}${body}`) !== length) length = Buffer.byteLength(`${length}${body}`);
      return `${length}${body}`;
    })
    .join('');
}

/** A regular file whose name is carried by a pax header, so it may be of any length or depth. */
export function paxFile(path: string, data: string): Buffer {
  return Buffer.concat([
    tarEntry({ name: 'PaxHeaders/entry', type: 'x', data: paxRecords({ path }) }),
    tarEntry({ name: 'placeholder', data }),
  ]);
}
