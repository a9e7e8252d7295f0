import type { Command } from 'commander';
import { type ClusterStatus, KubeconfigProvider, probeClusters } from '../../clusters/index.js';
import { AppError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { render } from '../output.js';

export interface ClustersListResult {
  readonly clusters: ClusterStatus[];
  readonly errors: readonly { readonly source: string; readonly message: string }[];
}

/** Every kubeconfig context (or only `--context`) with its server, reachability and version, probed in parallel. */
export async function listClusters(context: CommandContext): Promise<ClustersListResult> {
  const provider = new KubeconfigProvider({ path: context.kubeconfig, env: context.env });
  const listing = await provider.listClusters();
  const selected = context.context
    ? listing.clusters.filter((cluster) => cluster.name === context.context)
    : listing.clusters;
  if (context.context && selected.length === 0) {
    const known = listing.clusters.map((cluster) => cluster.name).join(', ');
    throw new AppError('context.unknown', `context "${context.context}" is not in the kubeconfig`, {
      fix: `Use one of: ${known || '(none)'}`,
    });
  }
  const clusters = await probeClusters(provider, selected, { timeoutMs: context.config.probeTimeoutMs });
  return { clusters, errors: listing.errors };
}

export function registerClusters(
  program: Command,
  run: (action: (context: CommandContext) => Promise<number>) => Promise<void>,
): void {
  const clusters = program.command('clusters').description('Clusters Gatehouse can reach');
  clusters
    .command('list')
    .description('List kubeconfig contexts with server, reachability and version')
    .action(() =>
      run(async (context) => {
        const result = await listClusters(context);
        context.stdout(
          render(
            context.output,
            result.clusters,
            [
              { header: 'CURRENT', value: (row) => (row.cluster.current ? '*' : '') },
              { header: 'NAME', value: (row) => row.cluster.name },
              { header: 'PROVIDER', value: (row) => row.cluster.provider },
              { header: 'SERVER', value: (row) => row.cluster.server },
              { header: 'REACHABLE', value: (row) => (row.reachable ? 'yes' : 'no') },
              { header: 'VERSION', value: (row) => row.version ?? '' },
              { header: 'PROBLEM', value: (row) => row.error?.message ?? '' },
            ],
            {
              apiVersion: 'gatehouse.dev/v1alpha1',
              kind: 'ClusterList',
              items: result.clusters,
              errors: result.errors,
            },
          ),
        );
        return 0;
      }),
    );
}
