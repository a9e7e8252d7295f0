import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { audited } from '../../audit/index.js';
import { AppError } from '../../errors.js';
import { defaultProfile, loadProfile, signSealedPackage } from '../../forensics/index.js';
import {
  acquireFromVolume,
  type Change,
  containerFilesystem,
  listVolumeContainers,
  selectContainer,
  type VolumeContainer,
} from '../../forensics/volume/index.js';
import { localPrincipal } from '../../identity/index.js';
import type { CommandContext, Runner } from '../context.js';
import { evidenceRoot } from '../evidence-settings.js';
import { withStore } from '../open-store.js';
import { type Column, render, sanitize } from '../output.js';
import { version } from '../version.js';

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
  volume
    .command('acquire')
    .argument('<root>', 'where the node’s root filesystem (or its /var/lib) is mounted')
    .argument('<container>', 'an id (or unique prefix), a Docker name, or <namespace>/<pod>/<container>')
    .option('--profile <file>', 'artifact profile (YAML); default: the built-in triage profile')
    .description(
      'Collect a container’s files and its own changes from the volume into a sealed, signed evidence package',
    )
    .action((root: string, reference: string, flags: { profile?: string }) =>
      run((context) => acquire(context, root, reference, flags)),
    );
}

async function acquire(
  context: CommandContext,
  root: string,
  reference: string,
  flags: { profile?: string },
) {
  const listing = listVolumeContainers(root);
  const container = selectContainer(listing.containers, reference);
  const profile = flags.profile ? loadProfile(flags.profile) : defaultProfile;
  // The OS account, or the name the responder gives (GATEHOUSE_OPERATOR), as for live acquisitions.
  const operator = localPrincipal({ subject: context.env.GATEHOUSE_OPERATOR ?? userInfo().username });
  const acquisition = await withStore(context, async (store) => {
    const done = await audited(store, {
      actor: operator.subject,
      action: 'forensics.acquire',
      target: `volume ${listing.root} ${container.runtime} ${container.id}`,
      succeeded: (result: ReturnType<typeof acquireFromVolume>) => ({
        package: result.id,
        packageHash: result.packageHash,
        method: result.custody.method,
      }),
      work: async () =>
        acquireFromVolume({
          root: listing.root,
          node: listing.node,
          container,
          evidenceRoot: evidenceRoot(context),
          profile,
          operator,
          gatehouseVersion: version,
        }),
    });
    signSealedPackage(store, done);
    return done;
  });
  const row = {
    package: acquisition.id,
    packageHash: acquisition.packageHash,
    root: acquisition.root,
    custody: acquisition.custody,
  };
  context.stdout(
    render(
      context.output,
      [acquisition],
      [
        { header: 'CONTAINER', value: () => container.id },
        { header: 'PACKAGE', value: (done) => done.id },
        { header: 'ITEMS', value: (done) => String(done.items) },
        { header: 'PROBLEMS', value: (done) => String(done.anomalies) },
        { header: 'RESULT', value: (done) => `sealed ${done.packageHash.slice(0, 16)}…` },
      ],
      row,
    ),
  );
  return 0;
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
