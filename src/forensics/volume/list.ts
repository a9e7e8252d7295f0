import { lstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../../errors.js';
import { listContainerdContainers } from './containerd.js';
import { listDockerContainers } from './docker.js';
import type { VolumeListing } from './types.js';
import { entryAt, readVolumeFile } from './volume-files.js';

/** ROOT as an absolute path after checking it is a real directory (not a link to one). */
export function volumeRoot(root: string): string {
  const path = resolve(root);
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch (error) {
    throw new AppError(
      'input.invalid',
      `the volume root ${path} cannot be read: ${(error as Error).message}`,
      {
        fix: 'Pass the directory where the node’s disk (or its /var/lib) is mounted',
        cause: error,
      },
    );
  }
  if (!stats.isDirectory()) {
    throw new AppError('input.invalid', `the volume root ${path} is not a directory`, {
      fix: 'Pass the directory where the node’s disk (or its /var/lib) is mounted, not a link or a file',
    });
  }
  return path;
}

const hostname = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;

/**
 * The node's name from `etc/hostname` when ROOT is its root filesystem: what custody records name.
 * Anything that is not a plausible host name is ignored rather than echoed.
 */
export function nodeName(root: string): string | undefined {
  if (entryAt(root, 'etc/hostname') !== 'file') return undefined;
  const first = readVolumeFile(root, 'etc/hostname', { maxBytes: 4096 })
    .toString('utf8')
    .split('\n')[0]!
    .trim();
  return hostname.test(first) ? first : undefined;
}

/**
 * Lists the containers whose metadata is on a node's disk mounted at `root`, read-only and
 * without following links out of it.
 *
 * @example
 * const { containers, problems } = listVolumeContainers('/mnt/node');
 */
export function listVolumeContainers(
  root: string,
): VolumeListing & { readonly root: string; readonly node: string | undefined } {
  const path = volumeRoot(root);
  const found = [listContainerdContainers(path), listDockerContainers(path)];
  const containers = found.flatMap((listing) => listing.containers);
  const problems = found.flatMap((listing) => listing.problems);
  if (containers.length === 0 && problems.length === 0) {
    problems.push({
      where: path,
      message: 'no container metadata found under it (neither containerd’s meta.db nor Docker’s containers/)',
    });
  }
  return { root: path, node: nodeName(path), containers, problems };
}
