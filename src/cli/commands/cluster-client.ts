import {
  connectClient,
  isProviderClusterName,
  KubeconfigProvider,
  type ResolvedCluster,
  resolveProviderCluster,
} from '../../clusters/index.js';
import type { KubeClient } from '../../kube/index.js';
import type { CommandContext } from '../context.js';
import { withStore } from './audit.js';
import { clusterName } from './rbac-source.js';

/**
 * The cluster a command is about: a cloud cluster (`--context eks/…`, `aks/…`, `gke/…`) through
 * its registered account, else a kubeconfig context as kubectl would pick it.
 */
export async function resolveCluster(context: CommandContext): Promise<ResolvedCluster> {
  const name = context.context;
  if (name && isProviderClusterName(name))
    return await withStore(context, (store) => resolveProviderCluster(store, name));
  const provider = new KubeconfigProvider({ path: context.kubeconfig, env: context.env });
  const ref = {
    name: clusterName(context),
    provider: provider.kind,
    server: '',
    current: !name,
  };
  return { provider, ref };
}

/** A client for the command's cluster; cloud clusters get fresh tokens and cloud-aware errors. */
export async function clusterClient(context: CommandContext): Promise<KubeClient> {
  const { provider, ref } = await resolveCluster(context);
  return await connectClient(provider, ref);
}
