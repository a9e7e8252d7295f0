import type { EntryType, LayerEntry, LayerListing } from './layer-scan.js';

/** An entry of the merged view, with the layer it comes from (0 = the bottom layer). */
export interface ViewEntry extends LayerEntry {
  readonly layer: number;
}

/** The filesystem as the container saw it: path → entry, parents before children. */
export type FileView = ReadonlyMap<string, ViewEntry>;

const ociWhiteout = '.wh.';
const ociOpaque = '.wh..wh..opq';

const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** What a layer removes from the ones below it: whiteouts (overlay or OCI style) and opaque dirs. */
export function removals(layer: LayerListing): { readonly deleted: string[]; readonly opaque: string[] } {
  const deleted: string[] = [];
  const opaque: string[] = [];
  for (const entry of layer.entries) {
    const name = nameOf(entry.path);
    if (entry.type === 'whiteout') deleted.push(entry.path);
    else if (name === ociOpaque) opaque.push(parentOf(entry.path));
    else if (name.startsWith(ociWhiteout)) {
      const parent = parentOf(entry.path);
      deleted.push(
        parent === '' ? name.slice(ociWhiteout.length) : `${parent}/${name.slice(ociWhiteout.length)}`,
      );
    } else if (entry.opaque) opaque.push(entry.path);
  }
  return { deleted, opaque };
}

/** A path index with children, so removing a subtree costs its size, not the view's. */
class Tree {
  readonly entries = new Map<string, ViewEntry>();
  private readonly children = new Map<string, Set<string>>();

  set(entry: ViewEntry): void {
    const previous = this.entries.get(entry.path);
    if (previous?.type === 'directory' && entry.type !== 'directory') this.removeBelow(entry.path);
    this.entries.set(entry.path, entry);
    const parent = parentOf(entry.path);
    const siblings = this.children.get(parent) ?? new Set<string>();
    this.children.set(parent, siblings);
    siblings.add(entry.path);
  }

  remove(path: string): void {
    this.removeBelow(path);
    this.entries.delete(path);
    this.children.get(parentOf(path))?.delete(path);
  }

  removeBelow(path: string): void {
    const stack = [...(this.children.get(path) ?? [])];
    this.children.delete(path);
    while (stack.length > 0) {
      const child = stack.pop()!;
      this.entries.delete(child);
      stack.push(...(this.children.get(child) ?? []));
      this.children.delete(child);
    }
  }
}

/**
 * Stacks layers as overlayfs does, bottom first: each layer's whiteouts and opaque directories
 * hide what lies below, then its entries replace or join those below. Whiteout markers themselves
 * never appear in the view. Pure: the same listings always give the same view.
 *
 * @example
 * const view = mergeLayers([...layers.lowers].reverse().map(scan).concat(scan(layers.upper)));
 */
export function mergeLayers(layers: readonly LayerListing[]): FileView {
  const tree = new Tree();
  layers.forEach((layer, index) => {
    const { deleted, opaque } = removals(layer);
    for (const path of deleted) tree.remove(path);
    for (const path of opaque) tree.removeBelow(path);
    for (const entry of layer.entries) {
      const name = nameOf(entry.path);
      if (entry.type === 'whiteout' || name.startsWith(ociWhiteout)) continue;
      tree.set({ ...entry, layer: index });
    }
  });
  return tree.entries;
}

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'replaced-directory';

/** One change the container made to its image, from its upper directory. */
export interface Change {
  readonly path: string;
  readonly kind: ChangeKind;
  /** The entry's type now; for a deletion, the type of what was deleted. */
  readonly type: EntryType | 'unknown';
  readonly size: number;
  readonly mtime: string | undefined;
  /** A mount point runc makes in every container (/proc, /dev, /sys, /run), not the workload's doing. */
  readonly runtime: boolean;
  /** Content hash of an added or modified file (set where the upper directory is read). */
  readonly sha256?: string;
}

const runtimeMountPoints = new Set(['proc', 'dev', 'sys', 'run']);

/**
 * The container's own changes since its image: the upper directory compared with the image's
 * merged lower layers. Parent directories that overlayfs copied up only to hold a changed child
 * are not changes; the image's own whiteouts are not either, since they live in the lowers.
 */
export function containerChanges(lowersBottomFirst: readonly LayerListing[], upper: LayerListing): Change[] {
  const image = mergeLayers(lowersBottomFirst);
  const changes: Change[] = [];
  const { deleted, opaque } = removals(upper);
  for (const path of deleted) {
    const before = image.get(path);
    changes.push({
      path,
      kind: 'deleted',
      type: before?.type ?? 'unknown',
      size: before?.size ?? 0,
      mtime: undefined,
      runtime: false,
    });
  }
  const replaced = new Set(opaque);
  for (const entry of upper.entries) {
    if (entry.type === 'whiteout' || nameOf(entry.path).startsWith(ociWhiteout)) continue;
    const before = image.get(entry.path);
    const kind: ChangeKind | undefined = replaced.has(entry.path)
      ? 'replaced-directory'
      : !before
        ? 'added'
        : entry.type === 'directory' && before.type === 'directory'
          ? undefined
          : 'modified';
    if (!kind) continue;
    const runtime = kind === 'added' && entry.type === 'directory' && runtimeMountPoints.has(entry.path);
    changes.push({ path: entry.path, kind, type: entry.type, size: entry.size, mtime: entry.mtime, runtime });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
