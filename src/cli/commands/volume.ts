import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import {
  type Change,
  containerFilesystem,
  listVolumeContainers,
  selectContainer,
  type VolumeContainer,
} from '../../forensics/volume/index.js';
import type { CommandContext, Runner } from '../context.js';
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
  volume
    .command('changes')
    .argument('<root>', 'where the node’s root filesystem (or its /var/lib) is mounted')
    .argument('<container>', 'an id (or unique prefix), a Docker name, or <namespace>/<pod>/<container>')
    .description(
      'What the container added, modified and deleted since its image (its overlay upper directory)',
    )
    .action((root: string, reference: string) => run((context) => printChanges(context, root, reference)));
}

const changeColumns: readonly Column<Change>[] = [
  { header: 'CHANGE', value: (row) => (row.runtime ? `${row.kind} (runtime mount point)` : row.kind) },
  { header: 'TYPE', value: (row) => row.type },
  { header: 'SIZE', value: (row) => (row.type === 'file' ? String(row.size) : '') },
  { header: 'MODIFIED', value: (row) => row.mtime ?? '' },
  { header: 'PATH', value: (row) => `/${row.path}` },
];

async function printChanges(context: CommandContext, root: string, reference: string): Promise<number> {
  const listing = listVolumeContainers(root);
  const container = selectContainer(listing.containers, reference);
  if (!container.layers) {
    const why = listing.problems
      .filter((problem) => problem.where.endsWith(container.id))
      .map((problem) => problem.message);
    throw new AppError(
      'input.invalid',
      `the layers of container ${container.id} could not be resolved${why.length ? `: ${why.join('; ')}` : ''}`,
      {
        fix: 'Check that the snapshotter or storage driver directories are on the volume',
      },
    );
  }
  const { changes, anomalies } = containerFilesystem(listing.root, container.layers);
  context.stdout(
    render(context.output, changes, changeColumns, {
      container: container.id,
      layers: container.layers,
      changes,
      anomalies,
    }),
  );
  if (context.output === 'table') {
    for (const anomaly of anomalies)
      context.stderr(`warning: ${sanitize(anomaly.dir)}: ${sanitize(anomaly.message)}\n`);
  }
  return 0;
}
