import type { Command } from 'commander';
import { listVolumeContainers, type VolumeContainer } from '../../forensics/volume/index.js';
import type { Runner } from '../context.js';
import { type Column, render, sanitize } from '../output.js';

const columns: readonly Column<VolumeContainer>[] = [
  { header: 'RUNTIME', value: (row) => (row.namespace ? `${row.runtime}/${row.namespace}` : row.runtime) },
  { header: 'ID', value: (row) => row.id },
  {
    header: 'POD',
    value: (row) => (row.kubernetes ? `${row.kubernetes.namespace ?? '?'}/${row.kubernetes.pod ?? '?'}` : ''),
  },
  { header: 'CONTAINER', value: (row) => row.kubernetes?.container ?? '' },
  { header: 'IMAGE', value: (row) => row.image ?? '' },
  { header: 'SNAPSHOT', value: (row) => (row.layers ? `${row.snapshotter}:${row.layers.snapshotId}` : '') },
  { header: 'CREATED', value: (row) => row.createdAt ?? '' },
];

export function registerVolume(program: Command, run: Runner): void {
  const volume = program
    .command('volume')
    .description(
      'Containers on a node’s disk mounted read-only (containerd, Docker), read without running anything',
    );
  volume
    .command('list')
    .argument('<root>', 'where the node’s root filesystem (or its /var/lib) is mounted')
    .description('List the containers whose metadata is on the volume, with their pods, images and layers')
    .action((root: string) =>
      run(async (context) => {
        const listing = listVolumeContainers(root);
        context.stdout(render(context.output, listing.containers, columns, listing));
        if (context.output === 'table') {
          for (const problem of listing.problems) {
            context.stderr(`warning: ${sanitize(problem.where)}: ${sanitize(problem.message)}\n`);
          }
        }
        return 0;
      }),
    );
}
