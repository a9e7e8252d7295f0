import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { readOpaqueDirectories } from './opaque-dirs.js';
import { entryAt } from './volume-files.js';

export type EntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'whiteout'
  | 'char-device'
  | 'block-device'
  | 'fifo'
  | 'socket';

/** One entry of a layer directory, as lstat saw it; `path` is relative to the layer, `/`-joined. */
export interface LayerEntry {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: string;
  readonly atime: string;
  readonly ctime: string;
  /** The inode number on the volume's filesystem (for bodyfiles). */
  readonly inode: number;
  /** A symlink's text, never followed. */
  readonly linkTarget?: string;
  /** A directory marked `trusted.overlay.opaque=y`: nothing below it in lower layers shows. */
  readonly opaque?: boolean;
}

export interface LayerListing {
  /** The layer directory relative to ROOT. */
  readonly dir: string;
  readonly entries: readonly LayerEntry[];
  /** Whether opaque-directory attributes could be read (they need getfattr from Debian's attr). */
  readonly opaqueKnown: boolean;
  /** What could not be read in the layer; the rest of it is listed. */
  readonly anomalies: readonly string[];
}

export interface ScanOptions {
  /** Stop after this many entries (a hostile layer can hold millions); an anomaly says so. */
  readonly maxEntries?: number;
  /** The getfattr command (default: from PATH). */
  readonly getfattr?: string;
}

const maxDepth = 512;

function typeOf(stats: Stats): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  // overlayfs records a deletion as a character device 0:0 with the deleted name.
  if (stats.isCharacterDevice()) return stats.rdev === 0 ? 'whiteout' : 'char-device';
  if (stats.isBlockDevice()) return 'block-device';
  return stats.isFIFO() ? 'fifo' : 'socket';
}

/**
 * Lists a layer directory under ROOT without following any link and without reading file
 * contents: the input of the overlay view and of the change list.
 */
export function scanLayer(root: string, dir: string, options: ScanOptions = {}): LayerListing {
  if (entryAt(root, dir) !== 'directory') {
    throw new AppError('input.invalid', `the layer directory ${join(root, dir)} is missing or is a link`, {
      fix: 'Check that the snapshot directories were copied with the metadata (the disk image is complete)',
    });
  }
  const base = join(root, dir);
  const opaque = readOpaqueDirectories(base, options.getfattr);
  const anomalies: string[] = opaque.known ? [] : [opaque.why];
  const entries: LayerEntry[] = [];
  const limit = options.maxEntries ?? 1_000_000;
  const pending: { path: string; depth: number }[] = [{ path: '', depth: 0 }];
  while (pending.length > 0) {
    const { path, depth } = pending.pop()!;
    let names: string[];
    try {
      names = readdirSync(join(base, path), { encoding: 'utf8' }).sort();
    } catch (error) {
      anomalies.push(`${path || '.'}: cannot list (${(error as Error).message})`);
      continue;
    }
    for (const name of names) {
      if (entries.length >= limit) {
        anomalies.push(`stopped after ${limit} entries; the rest of the layer is not listed`);
        return { dir, entries, opaqueKnown: opaque.known, anomalies };
      }
      const child = path === '' ? name : `${path}/${name}`;
      const entry = describe(base, child, opaque.paths, anomalies);
      if (!entry) continue;
      entries.push(entry);
      if (entry.type === 'directory') {
        if (depth + 1 < maxDepth) pending.push({ path: child, depth: depth + 1 });
        else anomalies.push(`${child}: deeper than ${maxDepth} levels, not listed`);
      }
    }
  }
  return { dir, entries, opaqueKnown: opaque.known, anomalies };
}

function describe(
  base: string,
  path: string,
  opaque: ReadonlySet<string>,
  anomalies: string[],
): LayerEntry | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(join(base, path));
  } catch (error) {
    // A name that is not valid UTF-8 cannot be looked up again through a string.
    anomalies.push(`${JSON.stringify(path)}: cannot stat (${(error as Error).message})`);
    return undefined;
  }
  const type = typeOf(stats);
  return {
    path,
    type,
    size: stats.size,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    mtime: stats.mtime.toISOString(),
    atime: stats.atime.toISOString(),
    ctime: stats.ctime.toISOString(),
    inode: stats.ino,
    ...(type === 'symlink' ? { linkTarget: readlinkSync(join(base, path), { encoding: 'utf8' }) } : {}),
    ...(type === 'directory' && opaque.has(path) ? { opaque: true } : {}),
  };
}
