import { type LayerListing, type ScanOptions, scanLayer } from './layer-scan.js';
import { type Change, containerChanges, type FileView, mergeLayers } from './overlay-view.js';
import type { Layers } from './types.js';
import { hashVolumeFile } from './volume-files.js';

export interface ContainerFilesystem {
  /** What the container saw: lowers then upper, whiteouts and opaque directories applied. */
  readonly view: FileView;
  /** What the container itself added, modified and deleted since its image. */
  readonly changes: readonly Change[];
  /** What could not be read, per layer directory. */
  readonly anomalies: readonly { readonly dir: string; readonly message: string }[];
}

// Intruder tools are small; a file past this is reported unhashed rather than read for minutes.
const maxHashedBytes = 256 << 20;

/**
 * Rebuilds a container's filesystem view from its layer directories under ROOT without mounting
 * anything, and lists its own changes.
 *
 * @example
 * const { changes } = containerFilesystem('/mnt/node', container.layers);
 */
export function containerFilesystem(
  root: string,
  layers: Layers,
  options: ScanOptions = {},
): ContainerFilesystem {
  const lowers: LayerListing[] = [...layers.lowers].reverse().map((dir) => scanLayer(root, dir, options));
  const upper = scanLayer(root, layers.upper, options);
  const anomalies = [...lowers, upper].flatMap((layer) =>
    layer.anomalies.map((message) => ({ dir: layer.dir, message })),
  );
  const changes = containerChanges(lowers, upper).map((change) => {
    if (change.type !== 'file' || change.kind === 'deleted') return change;
    const hashed = hashVolumeFile(root, `${layers.upper}/${change.path}`, { maxBytes: maxHashedBytes });
    if ('sha256' in hashed) return { ...change, sha256: hashed.sha256 };
    anomalies.push({ dir: layers.upper, message: `${change.path}: not hashed (${hashed.skipped})` });
    return change;
  });
  return { view: mergeLayers([...lowers, upper]), changes, anomalies };
}
