import { AppError } from '../../errors.js';

/**
 * The on-disk layout of a bbolt file (go.etcd.io/bbolt, format version 2), read without trusting
 * it: every offset is checked against the page it claims to sit in, and every page id against
 * the file. Little-endian throughout, as bbolt writes on every platform Kubernetes nodes run.
 */

export const pageHeaderSize = 16;
const elementSize = 16;
const magic = 0xed0cdaed;
const formatVersion = 2;
const metaSize = 64;
const checksummedSize = 56;

const pageFlags = { branch: 0x01, leaf: 0x02, meta: 0x04, freelist: 0x10 } as const;
/** A leaf element flagged as a bucket holds a bucket header, not a value. */
export const bucketLeafFlag = 0x01;

export interface BoltMeta {
  readonly pageSize: number;
  readonly rootPage: number;
  readonly freelistPage: number;
  /** One past the highest page id in use: no live page reference may reach it. */
  readonly pageCount: number;
  readonly txid: number;
}

export type MetaRead =
  | { readonly ok: true; readonly meta: BoltMeta }
  | { readonly ok: false; readonly why: string };

/** A branch or leaf page: its bytes (header included) and the number of elements. */
export interface TreePage {
  readonly kind: 'branch' | 'leaf';
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly count: number;
}

export function corrupt(what: string, details: Record<string, string> = {}): AppError {
  return new AppError('input.invalid', `the bbolt database is damaged or not bbolt: ${what}`, {
    fix: 'Check that the file is a complete copy of a bbolt database (containerd meta.db or an overlayfs metadata.db); a truncated or altered file cannot be read',
    details,
  });
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A 64-bit field as a number; ids and offsets past 2^53 cannot be real in a file we can hold. */
export function u64(data: DataView, offset: number, what: string): number {
  const value = data.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} ${value} is out of range`);
  return Number(value);
}

function fnv1a64(bytes: Uint8Array): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

/** Reads the meta page at `offset`; a bad magic, version or checksum is a reason, not a throw. */
export function readMeta(file: Uint8Array, offset: number): MetaRead {
  if (offset + pageHeaderSize + metaSize > file.byteLength) return { ok: false, why: 'file too short' };
  const data = view(file.subarray(offset, offset + pageHeaderSize + metaSize));
  if ((data.getUint16(8, true) & pageFlags.meta) === 0) return { ok: false, why: 'not a meta page' };
  const at = pageHeaderSize;
  if (data.getUint32(at, true) !== magic) return { ok: false, why: 'no bbolt magic number' };
  const version = data.getUint32(at + 4, true);
  if (version !== formatVersion) return { ok: false, why: `format version ${version} (this reader knows 2)` };
  const body = file.subarray(offset + at, offset + at + checksummedSize);
  if (fnv1a64(body) !== data.getBigUint64(at + checksummedSize, true)) {
    return { ok: false, why: 'checksum mismatch' };
  }
  const pageSize = data.getUint32(at + 8, true);
  if (pageSize < 1024 || pageSize > 1 << 20 || (pageSize & (pageSize - 1)) !== 0) {
    return { ok: false, why: `implausible page size ${pageSize}` };
  }
  return {
    ok: true,
    meta: {
      pageSize,
      rootPage: u64(data, at + 16, 'root page id'),
      freelistPage: u64(data, at + 32, 'freelist page id'),
      pageCount: u64(data, at + 40, 'page count'),
      txid: u64(data, at + 48, 'transaction id'),
    },
  };
}

/**
 * Picks the meta page bbolt itself would use: of the two that verify, the one with the higher
 * transaction id (the other is the previous commit). Page 1 sits one page size in, and page 0
 * tells that size; if page 0 is damaged, the usual sizes are tried.
 */
export function chooseMeta(file: Uint8Array): BoltMeta {
  const first = readMeta(file, 0);
  const sizes = first.ok ? [first.meta.pageSize] : [4096, 8192, 16384, 65536, 2048, 1024];
  const second =
    sizes.map((size) => readMeta(file, size)).find((read) => read.ok) ?? readMeta(file, sizes[0]!);
  const valid = [first, second].flatMap((read) => (read.ok ? [read.meta] : []));
  const best = valid.sort((a, b) => b.txid - a.txid)[0];
  if (!best) {
    const why = [first, second].map((read, index) => `meta page ${index}: ${read.ok ? 'valid' : read.why}`);
    throw corrupt(`no valid meta page (${why.join('; ')})`);
  }
  if (best.pageCount * best.pageSize > file.byteLength + best.pageSize) {
    throw corrupt(
      `the meta page counts ${best.pageCount} pages of ${best.pageSize} bytes but the file has ${file.byteLength} bytes (truncated copy?)`,
    );
  }
  return best;
}

/** Page `id` of the file as a branch or leaf page, checked against the file and the meta. */
export function treePage(file: Uint8Array, meta: BoltMeta, id: number): TreePage {
  if (id < 2 || id >= meta.pageCount) {
    throw corrupt(`page id ${id} is outside the database's ${meta.pageCount} pages`);
  }
  const start = id * meta.pageSize;
  if (start + pageHeaderSize > file.byteLength) throw corrupt(`page ${id} lies past the end of the file`);
  const header = view(file.subarray(start, start + pageHeaderSize));
  const overflow = header.getUint32(12, true);
  const end = start + (overflow + 1) * meta.pageSize;
  if (end > file.byteLength || id + overflow >= meta.pageCount) {
    throw corrupt(`page ${id} with ${overflow} overflow pages runs past the end of the database`);
  }
  const storedId = u64(header, 0, 'page id');
  if (storedId !== id) throw corrupt(`page ${id} says it is page ${storedId}`);
  return asTreePage(file.subarray(start, end), id);
}

/** Reads a page header from bytes already cut to the page's extent (a file page or an inline bucket). */
export function asTreePage(bytes: Uint8Array, id: number): TreePage {
  if (bytes.byteLength < pageHeaderSize) throw corrupt(`page ${id} is shorter than a page header`);
  const header = view(bytes);
  const flags = header.getUint16(8, true);
  const count = header.getUint16(10, true);
  const kind = flags & pageFlags.branch ? 'branch' : flags & pageFlags.leaf ? 'leaf' : undefined;
  if (!kind)
    throw corrupt(`page ${id} has flags 0x${flags.toString(16)} where a branch or leaf page was expected`);
  if (pageHeaderSize + count * elementSize > bytes.byteLength) {
    throw corrupt(`page ${id} claims ${count} elements, more than fit in it`);
  }
  return { kind, id, bytes, count };
}

function slice(page: TreePage, from: number, length: number, what: string): Uint8Array {
  if (from < 0 || length < 0 || from + length > page.bytes.byteLength) {
    throw corrupt(`${what} of element on page ${page.id} points outside the page`);
  }
  return page.bytes.subarray(from, from + length);
}

export interface BranchElement {
  readonly key: Uint8Array;
  readonly child: number;
}

export function branchElement(page: TreePage, index: number): BranchElement {
  const at = pageHeaderSize + index * elementSize;
  const data = view(page.bytes);
  const position = data.getUint32(at, true);
  const keySize = data.getUint32(at + 4, true);
  return { key: slice(page, at + position, keySize, 'the key'), child: u64(data, at + 8, 'child page id') };
}

export interface LeafElement {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly isBucket: boolean;
}

export function leafElement(page: TreePage, index: number): LeafElement {
  const at = pageHeaderSize + index * elementSize;
  const data = view(page.bytes);
  const flags = data.getUint32(at, true);
  const position = data.getUint32(at + 4, true);
  const keySize = data.getUint32(at + 8, true);
  const valueSize = data.getUint32(at + 12, true);
  return {
    key: slice(page, at + position, keySize, 'the key'),
    value: slice(page, at + position + keySize, valueSize, 'the value'),
    isBucket: (flags & bucketLeafFlag) !== 0,
  };
}
