import type { Artifact } from '../profile.js';
import { parseFindTests } from './find-tests.js';
import type { FileView, ViewEntry } from './overlay-view.js';
import { resolveInView } from './view-files.js';

/** What a `files` or `list` artifact selects in a container's view, as the exec collector's find would. */
export interface Selection {
  /** Entries selected, with their container path (`/etc/passwd`). */
  readonly entries: readonly (ViewEntry & { readonly containerPath: string })[];
  /** Files that matched but are larger than the artifact's `maxFileSize`: listed, not read. */
  readonly oversize: readonly (ViewEntry & { readonly containerPath: string })[];
  /** What the volume collector cannot apply (an unsupported `where` test), said rather than ignored. */
  readonly anomalies: readonly string[];
}

/** fnmatch(3) without FNM_PATHNAME, as find's -name and -path use it: `*` and `?` match `/` too. */
export function globPattern(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const character = glob[index]!;
    if (character === '*') source += '.*';
    else if (character === '?') source += '.';
    else if (character === '[' && glob.indexOf(']', index + 2) !== -1) {
      const end = glob.indexOf(']', index + 2);
      const body = glob
        .slice(index + 1, end)
        .replace(/^!/, '^')
        .replace(/[\\\]]/g, '\\$&');
      source += `[${body}]`;
      index = end;
    } else source += character.replace(/[.+^${}()|\\[\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

const depthOf = (path: string) => (path === '' ? 0 : path.split('/').length);

/**
 * A start point as a view path: its parent directories resolved through links inside the view
 * (as the kernel does for find), its last component kept as is. Undefined when the parent is missing.
 */
function startPoint(view: FileView, start: string): string | undefined {
  const parts = start.split('/').filter((part) => part !== '' && part !== '.');
  const last = parts.pop();
  if (last === undefined) return '';
  if (parts.length === 0) return last;
  const parent = resolveInView(view, parts.join('/'));
  if (!parent.found || parent.entry.type !== 'directory') return undefined;
  return `${parent.path.slice(1)}/${last}`;
}

/**
 * The entries of the view an artifact selects: under each of its paths (start points are not
 * followed when they are links, as find -P), at most `maxDepth` below, excluded subtrees pruned,
 * names matched on the last component, regular files only for `files`. Pure.
 */
export function selectInView(view: FileView, artifact: Artifact): Selection {
  const excluded = (artifact.exclude ?? []).map(globPattern);
  const names = (artifact.names ?? []).map(globPattern);
  const where = artifact.where ? parseFindTests(artifact.where) : undefined;
  if (where && !where.ok) {
    // Selecting without the tests would pass every file off as, say, a SUID binary.
    const anomaly = `where tests (${artifact.where}) cannot be applied on a volume: ${where.why}; nothing selected`;
    return { entries: [], oversize: [], anomalies: [anomaly] };
  }
  const anomalies: string[] = [];
  const seen = new Set<string>();
  const entries: (ViewEntry & { containerPath: string })[] = [];
  const oversize: (ViewEntry & { containerPath: string })[] = [];
  for (const start of artifact.paths ?? []) {
    const base = startPoint(view, start);
    if (base === undefined) continue;
    const isPruned = (path: string) => {
      for (
        let prefix = path;
        depthOf(prefix) >= depthOf(base);
        prefix = prefix.slice(0, Math.max(0, prefix.lastIndexOf('/')))
      ) {
        if (excluded.some((pattern) => pattern.test(`/${prefix}`))) return true;
        if (prefix === base) break;
      }
      return false;
    };
    for (const [path, entry] of view) {
      if (seen.has(path) || !(base === '' || path === base || path.startsWith(`${base}/`))) continue;
      if (artifact.maxDepth !== undefined && depthOf(path) - depthOf(base) > artifact.maxDepth) continue;
      if (isPruned(path)) continue;
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (names.length > 0 && !names.some((pattern) => pattern.test(name))) continue;
      if (artifact.collector === 'files' && entry.type !== 'file') continue;
      if (where?.ok && !where.test(entry)) continue;
      seen.add(path);
      const selected = { ...entry, containerPath: `/${path}` };
      if (artifact.maxFileSize !== undefined && entry.type === 'file' && entry.size > artifact.maxFileSize) {
        oversize.push(selected);
      } else entries.push(selected);
    }
  }
  return { entries, oversize, anomalies };
}
