import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../testcluster/run.js';

export interface MountedRootfs {
  readonly path: string;
  unmount(): Promise<void>;
}

/**
 * The image's layers stacked with overlayfs (first = top), as a container runtime would: nothing
 * is copied. The writable upper layer only receives the mount points runc makes; the container
 * itself sees its root read-only (runc's `root.readonly`), like the chart's pods.
 */
export async function mountLayers(dir: string, layers: readonly string[]): Promise<MountedRootfs> {
  const path = join(dir, 'rootfs');
  const [upper, work] = [join(dir, 'upper'), join(dir, 'work')];
  for (const made of [path, upper, work]) mkdirSync(made, { recursive: true });
  const options = `lowerdir=${layers.join(':')},upperdir=${upper},workdir=${work}`;
  await run('mount', ['-t', 'overlay', 'overlay', '-o', options, path], {
    step: 'mounting the image layers with overlayfs (needs root)',
  });
  return {
    path,
    unmount: async () => {
      await run('umount', [path], { step: 'unmounting the image layers' });
    },
  };
}

/** A read-only view of layers stacked (first = top), e.g. to export them as one tarball. */
export async function mountReadOnly(path: string, layers: readonly string[]): Promise<MountedRootfs> {
  mkdirSync(path, { recursive: true });
  await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layers.join(':')}`, path], {
    step: 'mounting layers read-only with overlayfs (needs root)',
  });
  return {
    path,
    unmount: async () => {
      await run('umount', [path], { step: 'unmounting layers' });
    },
  };
}
