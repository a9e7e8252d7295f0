import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../testcluster/run.js';

export interface MountedRootfs {
  readonly path: string;
  unmount(): Promise<void>;
}

/**
 * The image's layers stacked read-only with overlayfs (first = top), as a container runtime
 * would: nothing is copied, and the result cannot be written to, like the chart's read-only root.
 */
export async function mountLayers(dir: string, layers: readonly string[]): Promise<MountedRootfs> {
  const path = join(dir, 'rootfs');
  mkdirSync(path, { recursive: true });
  await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layers.join(':')}`, path], {
    step: 'mounting the image layers with overlayfs (needs root)',
  });
  return {
    path,
    unmount: async () => {
      await run('umount', [path], { step: 'unmounting the image layers' });
    },
  };
}
