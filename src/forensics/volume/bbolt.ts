import {
  asTreePage,
  type BoltMeta,
  branchElement,
  chooseMeta,
  corrupt,
  leafElement,
  pageHeaderSize,
  type TreePage,
  treePage,
  u64,
} from './bbolt-pages.js';

/** One entry of a bucket, in key order: a plain value or a nested bucket. */
export type BoltEntry =
  | { readonly kind: 'value'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: 'bucket'; readonly key: Uint8Array; readonly bucket: BoltBucket };

/** A read-only bucket: iteration in key order, exact lookups, nested buckets. */
export interface BoltBucket {
  /** Stored inside its parent's leaf value rather than on pages of its own (small buckets). */
  readonly inline: boolean;
  entries(): Generator<BoltEntry>;
  /** The value stored under `key`; undefined when absent or when `key` names a bucket. */
  get(key: Uint8Array | string): Uint8Array | undefined;
  /** The nested bucket `name`; undefined when absent or when `name` holds a plain value. */
  bucket(name: Uint8Array | string): BoltBucket | undefined;
}

export interface BoltDatabase {
  readonly pageSize: number;
  readonly txid: number;
  /** The top-level bucket whose entries are the database's buckets. */
  readonly root: BoltBucket;
}

// A valid tree is a few levels deep even for millions of keys; deeper means a loop.
const maxTreeDepth = 32;
// containerd nests five levels (v1/ns/containers/id/labels); bound the chain against loops.
const maxBucketDepth = 64;

type TreeRoot =
  | { readonly kind: 'page'; readonly id: number }
  | { readonly kind: 'inline'; readonly page: TreePage };

const encoder = new TextEncoder();
const bytesOf = (key: Uint8Array | string): Uint8Array =>
  typeof key === 'string' ? encoder.encode(key) : key;

function compare(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.byteLength, b.byteLength);
  for (let index = 0; index < length; index++) {
    if (a[index] !== b[index]) return a[index]! - b[index]!;
  }
  return a.byteLength - b.byteLength;
}

/**
 * Opens a bbolt database held in memory, read-only: the bytes are never changed and nothing is
 * cached beyond page views, so a damaged page surfaces as an `AppError` when it is reached.
 *
 * @example
 * const db = openBolt(readFileSync('meta.db'));
 * for (const entry of db.root.bucket('v1')?.entries() ?? []) console.log(entry.kind, entry.key);
 */
export function openBolt(file: Uint8Array): BoltDatabase {
  const meta = chooseMeta(file);
  const root = new Bucket(file, meta, { kind: 'page', id: meta.rootPage }, 0);
  return { pageSize: meta.pageSize, txid: meta.txid, root };
}

class Bucket implements BoltBucket {
  constructor(
    private readonly file: Uint8Array,
    private readonly meta: BoltMeta,
    private readonly root: TreeRoot,
    private readonly depth: number,
  ) {}

  get inline(): boolean {
    return this.root.kind === 'inline';
  }

  *entries(): Generator<BoltEntry> {
    for (const element of this.walk(
      this.root.kind === 'page' ? this.page(this.root.id) : this.root.page,
      0,
      new Set(),
    )) {
      yield element.isBucket
        ? { kind: 'bucket', key: element.key, bucket: this.child(element.key, element.value) }
        : { kind: 'value', key: element.key, value: element.value };
    }
  }

  get(key: Uint8Array | string): Uint8Array | undefined {
    const found = this.find(bytesOf(key));
    return found && !found.isBucket ? found.value : undefined;
  }

  bucket(name: Uint8Array | string): BoltBucket | undefined {
    const found = this.find(bytesOf(name));
    return found?.isBucket ? this.child(found.key, found.value) : undefined;
  }

  private page(id: number): TreePage {
    return treePage(this.file, this.meta, id);
  }

  /** Leaf elements in order; `seen` catches a page reached twice, which only a loop can do. */
  private *walk(page: TreePage, level: number, seen: Set<number>): Generator<ReturnType<typeof leafElement>> {
    if (level > maxTreeDepth)
      throw corrupt(`the tree under page ${page.id} is deeper than ${maxTreeDepth} levels`);
    if (page.kind === 'leaf') {
      for (let index = 0; index < page.count; index++) yield leafElement(page, index);
      return;
    }
    for (let index = 0; index < page.count; index++) {
      const { child } = branchElement(page, index);
      if (seen.has(child)) throw corrupt(`page ${child} is reached twice in one tree (a loop)`);
      seen.add(child);
      yield* this.walk(this.page(child), level + 1, seen);
    }
  }

  private find(key: Uint8Array): ReturnType<typeof leafElement> | undefined {
    let page = this.root.kind === 'page' ? this.page(this.root.id) : this.root.page;
    for (let level = 0; page.kind === 'branch'; level++) {
      if (level > maxTreeDepth) throw corrupt(`the tree is deeper than ${maxTreeDepth} levels (a loop)`);
      if (page.count === 0) return undefined;
      page = this.page(branchElement(page, this.lastNotAfter(page, key)).child);
    }
    let low = 0;
    let high = page.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const element = leafElement(page, middle);
      const order = compare(element.key, key);
      if (order === 0) return element;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** The branch element whose subtree would hold `key`: the last one whose key is not after it. */
  private lastNotAfter(page: TreePage, key: Uint8Array): number {
    let low = 0;
    let high = page.count - 1;
    let found = 0;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (compare(branchElement(page, middle).key, key) <= 0) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }

  /** A nested bucket from its 16-byte header (root page id, sequence), inline when the root is 0. */
  private child(name: Uint8Array, value: Uint8Array): BoltBucket {
    const label = JSON.stringify(new TextDecoder().decode(name));
    if (this.depth + 1 > maxBucketDepth) throw corrupt(`buckets nest deeper than ${maxBucketDepth} levels`);
    if (value.byteLength < 16) throw corrupt(`bucket ${label} has a ${value.byteLength}-byte header`);
    const rootId = u64(new DataView(value.buffer, value.byteOffset, 16), 0, 'bucket root page id');
    if (rootId !== 0) return new Bucket(this.file, this.meta, { kind: 'page', id: rootId }, this.depth + 1);
    const inline = asTreePage(value.subarray(16), 0);
    if (inline.kind !== 'leaf' || value.byteLength < 16 + pageHeaderSize) {
      throw corrupt(`inline bucket ${label} does not hold a leaf page`);
    }
    return new Bucket(this.file, this.meta, { kind: 'inline', page: inline }, this.depth + 1);
  }
}
