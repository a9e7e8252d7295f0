import type { Command } from 'commander';
import { agentClusterStatuses, listAgents } from '../../agent/index.js';
import {
  type ClusterStatus,
  KubeconfigProvider,
  listProviderClusters,
  listProviders,
  probeClusters,
  type ResolvedCluster,
} from '../../clusters/index.js';
import { AppError, isAppError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { withGatehouse, withStore } from '../open-store.js';
import { render } from '../output.js';

export interface ClustersListResult {
  readonly clusters: ClusterStatus[];
  readonly errors: readonly { readonly source: string; readonly message: string }[];
}

/** Kubeconfig contexts; a missing kubeconfig is an error only when no cloud account is registered either. */
async function kubeconfigClusters(context: CommandContext, cloud: boolean) {
  const provider = new KubeconfigProvider({ path: context.kubeconfig, env: context.env });
  try {
    const listing = await provider.listClusters();
    return { resolved: listing.clusters.map((ref) => ({ ref, provider })), errors: listing.errors };
  } catch (error) {
    if (!cloud || !isAppError(error)) throw error;
    return { resolved: [], errors: [{ source: 'kubeconfig', message: error.describe() }] };
  }
}

/**
 * Every kubeconfig context and every cluster of the registered cloud accounts (or only
 * `--context`), with server, reachability and version, probed in parallel.
 */
export async function listClusters(context: CommandContext): Promise<ClustersListResult> {
  const { cloud, agents } = await withStore(context, async (store) => ({
    cloud: (await listProviders(store)).length > 0 ? await listProviderClusters(store) : undefined,
    agents: agentClusterStatuses(await listAgents(store)),
  }));
  const local = await kubeconfigClusters(context, cloud !== undefined || agents.length > 0);
  const all: ResolvedCluster[] = [...local.resolved, ...(cloud?.resolved ?? [])];
  const selected = context.context ? all.filter((item) => item.ref.name === context.context) : all;
  // Agent clusters are not probed from here: the server they connect to says whether they are online.
  const viaAgents = agents.filter((status) => !context.context || status.cluster.name === context.context);
  if (context.context && selected.length === 0 && viaAgents.length === 0) {
    const known = [...all.map((item) => item.ref.name), ...agents.map((status) => status.cluster.name)].join(
      ', ',
    );
    const message = cloud
      ? `no cluster named "${context.context}" in the kubeconfig or the cloud accounts`
      : `context "${context.context}" is not in the kubeconfig`;
    throw new AppError('context.unknown', message, { fix: `Use one of: ${known || '(none)'}` });
  }
  const clusters = [
    ...(await probeClusters(selected, { timeoutMs: context.config.probeTimeoutMs })),
    ...viaAgents,
  ];
  return { clusters, errors: [...local.errors, ...(cloud?.errors ?? [])] };
}

export function registerClusters(
  program: Command,
  run: (action: (context: CommandContext) => Promise<number>) => Promise<void>,
): void {
  const clusters = program.command('clusters').description('Clusters Gatehouse can reach');
  clusters
    .command('list')
    .description('Kubeconfig contexts and cloud clusters, with server, reachability and version')
    .action(() =>
      run(async (context) => {
        const result = await listClusters(context);
        for (const error of result.errors) context.stderr(`warning: ${error.source}: ${error.message}\n`);
        context.stdout(
          render(
            context.output,
            result.clusters,
            [
              { header: 'CURRENT', value: (row) => (row.cluster.current ? '*' : '') },
              { header: 'NAME', value: (row) => row.cluster.name },
              { header: 'PROVIDER', value: (row) => row.cluster.provider },
              { header: 'SERVER', value: (row) => row.cluster.server },
              { header: 'REACHABLE', value: (row) => row.agent?.state ?? (row.reachable ? 'yes' : 'no') },
              { header: 'VERSION', value: (row) => row.version ?? '' },
              { header: 'PROBLEM', value: (row) => row.error?.message.split('\n')[0] ?? '' },
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
  clusters
    .command('describe')
    .argument('<name>', 'a name from gatehouse clusters list')
    .description(
      'Version, endpoint access (public/private) and authentication mode, as the provider reports them',
    )
    .action((name: string) =>
      run(async (context) => {
        const description = await withGatehouse(context, async ({ clusters }) => {
          const { provider, ref } = await clusters.resolve(name);
          return await provider.describe(ref);
        });
        context.stdout(
          render(
            context.output,
            [description],
            [
              { header: 'NAME', value: (row) => row.cluster.name },
              { header: 'VERSION', value: (row) => row.version ?? '' },
              { header: 'ENDPOINT', value: (row) => row.endpoint },
              {
                header: 'ACCESS',
                value: (row) =>
                  row.endpointAccess
                    ? [row.endpointAccess.public ? 'public' : '', row.endpointAccess.private ? 'private' : '']
                        .filter(Boolean)
                        .join('+')
                    : 'unknown',
              },
              { header: 'AUTH', value: (row) => row.authMode ?? '' },
              { header: 'STATUS', value: (row) => row.status ?? '' },
            ],
            description,
          ),
        );
        return 0;
      }),
    );
}
