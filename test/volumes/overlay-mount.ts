import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type LayerDirs = { readonly upper: string; readonly lowers: readonly string[] };

/**
 * Runs `work` with the container's layers mounted read-only by the kernel's overlayfs (the upper
 * dir as the top lower, so nothing is written), then unmounts. Needs root.
 */
export function withKernelMount<T>(root: string, layers: LayerDirs, work: (mountPoint: string) => T): T {
  const mountPoint = mkdtempSync(join(tmpdir(), 'gatehouse-overlay-'));
  const lowerdir = [layers.upper, ...layers.lowers].map((dir) => join(root, dir)).join(':');
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${lowerdir}`, mountPoint]);
  try {
    return work(mountPoint);
  } finally {
    execFileSync('umount', [mountPoint]);
    rmdirSync(mountPoint);
  }
}

/** The kernel's view as path → find type letter (f file, d directory, l symlink). */
export function kernelView(root: string, layers: LayerDirs): Map<string, string> {
  return withKernelMount(root, layers, (mountPoint) => {
    const listing = execFileSync('find', [mountPoint, '-mindepth', '1', '-printf', '%P\\t%y\\n'], {
      encoding: 'utf8',
    });
    return new Map(
      listing
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\t') as [string, string]),
    );
  });
}
