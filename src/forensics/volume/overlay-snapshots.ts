import { AppError } from '../../errors.js';
import type { BoltBucket } from './bbolt.js';
import { uvarint } from './go-values.js';
import type { Layers, SnapshotKind } from './types.js';

// OCI images are limited to 127 layers; anything much longer is a loop or a forgery.
const maxChain = 256;
const kinds: Record<string, SnapshotKind> = { '1': 'view', '2': 'active', '3': 'committed' };
const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

function snapshotId(record: BoltBucket, key: string): string {
  const id = record.get('id');
  if (!id) throw new AppError('input.invalid', `snapshot ${JSON.stringify(key)} has no id`);
  return uvarint(id).value.toString();
}

/**
 * The layers of a snapshot from the overlayfs snapshotter's own database (`v1/snapshots/<key>`
 * with `id`, `kind`, `parent`): its directory, then its parents' directories top first, as
 * overlayfs stacks them. `snapshotsDir` is the snapshotter's `snapshots` folder relative to ROOT.
 */
export function overlayLayers(database: BoltBucket, key: string, snapshotsDir: string): Layers {
  const snapshots = database.bucket('v1')?.bucket('snapshots');
  if (!snapshots) throw new AppError('input.invalid', 'the overlayfs metadata.db has no v1/snapshots bucket');
  const record = snapshots.bucket(key);
  if (!record)
    throw new AppError('not-found', `the overlayfs snapshotter has no snapshot ${JSON.stringify(key)}`);
  const kindBytes = record.get('kind');
  const kind = kindBytes ? (kinds[uvarint(kindBytes).value.toString()] ?? 'unknown') : 'unknown';
  const lowers: string[] = [];
  const seen = new Set([key]);
  for (let parent = text(record.get('parent')); parent; ) {
    if (seen.has(parent) || seen.size > maxChain) {
      throw new AppError(
        'input.invalid',
        `the parent chain of snapshot ${JSON.stringify(key)} loops or is longer than ${maxChain}`,
      );
    }
    seen.add(parent);
    const parentRecord = snapshots.bucket(parent);
    if (!parentRecord)
      throw new AppError(
        'input.invalid',
        `snapshot ${JSON.stringify(key)} names a missing parent ${JSON.stringify(parent)}`,
      );
    lowers.push(`${snapshotsDir}/${snapshotId(parentRecord, parent)}/fs`);
    parent = text(parentRecord.get('parent'));
  }
  const id = snapshotId(record, key);
  return { snapshotId: id, kind, upper: `${snapshotsDir}/${id}/fs`, lowers };
}
