import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The kernel's own answer for a container's view: the layers mounted read-only with overlayfs
 * (the upper dir as the top lower, so nothing is written), listed with find as path → type
 * letter (f file, d directory, l symlink). Needs root.
 */
export function kernelView(
  root: string,
  layers: { upper: string; lowers: readonly string[] },
): Map<string, string> {
  const mountPoint = mkdtempSync(join(tmpdir(), 'gatehouse-overlay-'));
  const lowerdir = [layers.upper, ...layers.lowers].map((dir) => join(root, dir)).join(':');
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${lowerdir}`, mountPoint]);
  try {
    const listing = execFileSync('find', [mountPoint, '-mindepth', '1', '-printf', '%P\\t%y\\n'], {
      encoding: 'utf8',
    });
    return new Map(
      listing
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\t') as [string, string]),
    );
  } finally {
    execFileSync('umount', [mountPoint]);
    rmdirSync(mountPoint);
  }
}
