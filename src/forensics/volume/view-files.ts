import { AppError } from '../../errors.js';
import type { FileView, ViewEntry } from './overlay-view.js';
import type { Layers } from './types.js';
import { type DirectoryCache, readVolumeFile } from './volume-files.js';

// Linux gives up after 40 links in one lookup (ELOOP); so do we.
const maxLinkHops = 40;

export type Resolved =
  | { readonly found: true; readonly path: string; readonly entry: ViewEntry }
  | { readonly found: false; readonly path: string; readonly why: string };

/** The layer directories in the order `mergeLayers` numbers them: bottom lower first, upper last. */
export function layerDirs(layers: Layers): string[] {
  return [...[...layers.lowers].reverse(), layers.upper];
}

function split(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * Looks a container path up in the view as the kernel would inside the container's root:
 * symbolic links are followed through the view (absolute ones from the container's root, `..`
 * stopping at it), so no link can lead out of the container, let alone out of ROOT.
 */
export function resolveInView(view: FileView, path: string): Resolved {
  const pending = split(path);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, part].join('/');
    const entry = view.get(candidate);
    if (!entry) return { found: false, path: `/${candidate}`, why: 'no such file in the container' };
    if (entry.type === 'symlink') {
      if (++hops > maxLinkHops)
        return { found: false, path: `/${candidate}`, why: `more than ${maxLinkHops} links (a loop)` };
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...split(target));
      continue;
    }
    if (pending.length > 0 && entry.type !== 'directory') {
      return { found: false, path: `/${candidate}`, why: 'not a directory' };
    }
    done.push(part);
  }
  const final = done.join('/');
  const entry = view.get(final);
  if (!entry) return { found: false, path: '/', why: 'the container root itself is not a file' };
  return { found: true, path: `/${final}`, entry };
}

/**
 * The bytes of a regular file as the container saw it, read from the layer that provides it.
 *
 * @example
 * const passwd = readViewFile({ root, layers, view, path: '/etc/passwd', maxBytes: 1 << 20 });
 */
export function readViewFile(options: {
  readonly root: string;
  readonly layers: Layers;
  readonly view: FileView;
  readonly path: string;
  readonly maxBytes: number;
  /** Parent directories already checked in this pass (see `DirectoryCache`). */
  readonly directories?: DirectoryCache;
}): Buffer {
  const resolved = resolveInView(options.view, options.path);
  if (!resolved.found) {
    throw new AppError(
      'not-found',
      `${options.path} cannot be read in the container: ${resolved.path}: ${resolved.why}`,
    );
  }
  if (resolved.entry.type !== 'file') {
    throw new AppError(
      'input.invalid',
      `${options.path} is a ${resolved.entry.type} in the container, not a file`,
    );
  }
  const dir = layerDirs(options.layers)[resolved.entry.layer];
  if (dir === undefined)
    throw new AppError('internal', `layer ${resolved.entry.layer} is not among the container's layers`);
  return readVolumeFile(options.root, `${dir}/${resolved.entry.path}`, {
    maxBytes: options.maxBytes,
    ...(options.directories ? { directories: options.directories } : {}),
  });
}
