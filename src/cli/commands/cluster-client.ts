import {
  type ClusterProvider,
  type ClusterRef,
  connectClient,
  isProviderClusterName,
  KubeconfigProvider,
  type ResolvedCluster,
  RunCommandTransport,
  resolveProviderCluster,
} from '../../clusters/index.js';
import { isAppError } from '../../errors.js';
import { clientNode, KubeClient } from '../../kube/index.js';
import type { CommandContext } from '../context.js';
import { withStore } from '../open-store.js';
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

/**
 * A client for the command's cluster; cloud clusters get fresh tokens and cloud-aware errors.
 */
export async function clusterClient(context: CommandContext): Promise<KubeClient> {
  const { provider, ref } = await resolveCluster(context);
  return await reachCluster(provider, ref, (line) => context.stderr(`${line}\n`));
}

/**
 * Connects directly when this machine reaches the API server. When it cannot and the provider
 * has run command (a private AKS cluster seen from outside its network), every call goes through
 * run command instead, and the user is told it will be slower.
 */
export async function reachCluster(
  provider: ClusterProvider,
  ref: ClusterRef,
  note: (line: string) => void,
): Promise<KubeClient> {
  try {
    return await connectClient(provider, ref);
  } catch (error) {
    if (!provider.runCommand || !(isAppError(error) && error.code === 'cluster.unreachable')) throw error;
    note(
      `note: the API server of ${ref.name} is private and out of reach from here; going through AKS run command (a pod in namespace aks-command, tens of seconds per call)`,
    );
    return runCommandClient(ref, new RunCommandTransport(provider.runCommand(ref)));
  }
}

function runCommandClient(ref: ClusterRef, transport: RunCommandTransport): KubeClient {
  const config = new (clientNode().KubeConfig)();
  config.loadFromOptions({
    clusters: [{ name: ref.name, server: ref.server, skipTLSVerify: false }],
    users: [{ name: ref.name }],
    contexts: [{ name: ref.name, cluster: ref.name, user: ref.name }],
    currentContext: ref.name,
  });
  return new KubeClient(config, { transport });
}
