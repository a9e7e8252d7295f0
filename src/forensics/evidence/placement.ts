import { createHash } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Caps on a path inside a package. Whatever the container sends, a path within them can be
 * created under any evidence root on any common filesystem (PATH_MAX 4096, NAME_MAX 255).
 */
export const packagePathLimits = { maxBytes: 1024, maxDepth: 100 } as const;

/** Where a collected file landed: where it was wanted, under a fallback name, or nowhere. */
export type Placement =
  | { readonly kind: 'created'; readonly path: string; readonly fd: number }
  | { readonly kind: 'renamed'; readonly path: string; readonly fd: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

type Attempt = { readonly path: string; readonly fd: number } | { readonly error: NodeJS.ErrnoException };

const renamedDir = 'renamed';
const maxDuplicates = 10_000;

/**
 * Creates the files of one package, exclusively (an existing path is never opened), and never
 * throws on a name the container chose. A taken name gets a `.dup-N` sibling; a name that cannot
 * exist (over the caps, a file where a directory should be, a name the filesystem refuses) is
 * stored under `renamed/<hash>-<last component>`, and the reason is returned for the record.
 */
export class PackageFiles {
  readonly #root: string;
  /** Next `.dup-N` to try per wanted path, so a name repeated thousands of times stays cheap. */
  readonly #nextSuffix = new Map<string, number>();

  constructor(root: string) {
    this.#root = root;
  }

  create(wanted: string): Placement {
    const overCap = overLimits(wanted);
    let reason = overCap;
    if (!overCap) {
      const attempt = this.#createUnique(wanted);
      if ('fd' in attempt) return { kind: 'created', path: attempt.path, fd: attempt.fd };
      reason = explain(attempt.error, wanted);
    }
    const fallback = this.#createUnique(fallbackName(wanted));
    if ('fd' in fallback)
      return { kind: 'renamed', path: fallback.path, fd: fallback.fd, reason: reason ?? '' };
    return {
      kind: 'failed',
      reason: `${reason}, and the fallback name failed too (${fallback.error.code ?? fallback.error.message})`,
    };
  }

  #createUnique(path: string): Attempt {
    const absolute = join(this.#root, path);
    try {
      mkdirSync(dirname(absolute), { recursive: true, mode: 0o700 });
    } catch (error) {
      return { error: error as NodeJS.ErrnoException };
    }
    const first = this.#nextSuffix.get(path) ?? 1;
    for (let n = first; n < first + maxDuplicates; n++) {
      const candidate = n === 1 ? path : `${path}.dup-${n}`;
      try {
        const fd = openSync(join(this.#root, candidate), 'wx', 0o600);
        this.#nextSuffix.set(path, n + 1);
        return { path: candidate, fd };
      } catch (error) {
        // Taken (by a file or a directory of that name): try the next suffix.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
          return { error: error as NodeJS.ErrnoException };
      }
    }
    return { error: Object.assign(new Error(`more than ${maxDuplicates} copies`), { code: 'EEXIST' }) };
  }
}

function overLimits(path: string): string | undefined {
  const bytes = Buffer.byteLength(path);
  const depth = path.split('/').length;
  if (bytes <= packagePathLimits.maxBytes && depth <= packagePathLimits.maxDepth) return undefined;
  return `its path would be ${bytes} bytes and ${depth} levels deep (caps: ${packagePathLimits.maxBytes} bytes, ${packagePathLimits.maxDepth} levels)`;
}

function explain(error: NodeJS.ErrnoException, wanted: string): string {
  switch (error.code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return `a directory on its path ${wanted} was already stored as a file (the container sent a file and a directory of one name)`;
    case 'ENAMETOOLONG':
      return `the filesystem refused its path as too long (${wanted.length} characters)`;
    default:
      return `${wanted} could not be created (${error.code ?? error.message})`;
  }
}

/** `renamed/<32 hex of SHA-256 of the wanted path>-<its last component>`: short, unique, readable. */
function fallbackName(wanted: string): string {
  const digest = createHash('sha256').update(wanted).digest('hex').slice(0, 32);
  const last = wanted.slice(wanted.lastIndexOf('/') + 1).slice(0, 80);
  return `${renamedDir}/${digest}${last ? `-${last}` : ''}`;
}
