import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
} from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';

/**
 * Reading a mounted node volume as hostile input: paths are walked one component at a time
 * with `lstat`, so no symbolic link (absolute, `..` or otherwise) is ever followed, and nothing
 * outside ROOT can be reached through the volume's own contents.
 */

export type Entry = 'missing' | 'directory' | 'file' | 'symlink' | 'other';

function components(relative: string): string[] {
  const parts = relative.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw new AppError('input.invalid', `the volume path ${JSON.stringify(relative)} climbs with ".."`, {
      fix: 'This is a bug or a hostile metadata value; report the volume path',
    });
  }
  return parts;
}

/**
 * Directories already seen to be real (not links) during one read-only pass, so reading many files
 * under one layer does not lstat the same parents again. Only for a volume mounted read-only.
 */
export type DirectoryCache = Set<string>;

/** What sits at `relative` under `root`, without following links on the way or at the end. */
export function entryAt(root: string, relative: string, directories?: DirectoryCache): Entry {
  let path = root;
  const parts = components(relative);
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const last = index === parts.length - 1;
    if (!last && directories?.has(path)) continue;
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw new AppError('input.invalid', `cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (stats.isSymbolicLink()) return 'symlink';
    if (last) return stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : 'other';
    if (!stats.isDirectory()) return 'missing';
    directories?.add(path);
  }
  return 'directory';
}

/**
 * The bytes of a regular file at `relative` under `root`. A link anywhere on the path, a
 * non-regular file or one larger than `maxBytes` is refused with the reason.
 */
export function readVolumeFile(
  root: string,
  relative: string,
  options: { readonly maxBytes: number; readonly directories?: DirectoryCache },
): Buffer {
  const entry = entryAt(root, relative, options.directories);
  const path = join(root, ...components(relative));
  if (entry !== 'file') {
    throw new AppError(
      'input.invalid',
      `${path} is ${entry === 'missing' ? 'missing' : `a ${entry}, not a file`}`,
      {
        fix:
          entry === 'symlink'
            ? 'Links on the volume are not followed (they could point outside it); mount the disk so the path is a real directory'
            : 'Check that ROOT is the node’s root filesystem or its /var/lib',
      },
    );
  }
  const descriptor = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const size = fstatSync(descriptor).size;
    if (size > options.maxBytes) {
      throw new AppError(
        'input.invalid',
        `${path} has ${size} bytes, more than the ${options.maxBytes} this reader accepts`,
        {
          fix: 'Check the file; a metadata file this large is unusual',
        },
      );
    }
    const bytes = Buffer.alloc(size);
    let done = 0;
    while (done < size) {
      const read = readSync(descriptor, bytes, done, size - done, done);
      if (read === 0) break;
      done += read;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(descriptor);
  }
}

/** The names in the directory at `relative` (which must be a real directory, not a link). */
export function directoryNames(root: string, relative: string): string[] {
  if (entryAt(root, relative) !== 'directory') return [];
  return readdirSync(join(root, ...components(relative)), { encoding: 'utf8' });
}

/** The text of the link at `relative`, read and never followed; the caller validates it. */
export function linkText(root: string, relative: string): string {
  const parts = components(relative);
  const parent = parts.slice(0, -1).join('/');
  if (parts.length === 0 || entryAt(root, parent) !== 'directory' || entryAt(root, relative) !== 'symlink') {
    throw new AppError('input.invalid', `${join(root, relative)} is not a link`, {
      fix: 'The volume’s layer links are damaged or were altered',
    });
  }
  return readlinkSync(join(root, ...parts), { encoding: 'utf8' });
}

/**
 * The SHA-256 of a regular file at `relative` under `root`, read in chunks without following
 * links; undefined (with the reason) when it is larger than `maxBytes`, so a huge or sparse
 * file cannot stall the run.
 */
export function hashVolumeFile(
  root: string,
  relative: string,
  options: { readonly maxBytes: number },
): { readonly sha256: string } | { readonly skipped: string } {
  if (entryAt(root, relative) !== 'file') return { skipped: 'not a regular file' };
  const descriptor = openSync(join(root, ...components(relative)), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const size = fstatSync(descriptor).size;
    if (size > options.maxBytes)
      return { skipped: `${size} bytes, over the ${options.maxBytes}-byte hashing limit` };
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(1 << 20);
    for (let offset = 0; ; ) {
      const read = readSync(descriptor, chunk, 0, chunk.length, offset);
      if (read === 0) break;
      hash.update(chunk.subarray(0, read));
      offset += read;
    }
    return { sha256: hash.digest('hex') };
  } finally {
    closeSync(descriptor);
  }
}
