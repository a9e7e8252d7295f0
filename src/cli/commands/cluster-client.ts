import { KubeConfig } from '@kubernetes/client-node';
import {
  connectClient,
  isProviderClusterName,
  KubeconfigProvider,
  type ResolvedCluster,
  RunCommandTransport,
  resolveProviderCluster,
} from '../../clusters/index.js';
import { KubeClient } from '../../kube/index.js';
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

/**
 * A client for the command's cluster; cloud clusters get fresh tokens and cloud-aware errors. A
 * private AKS cluster is reached through run command, and the user is told it will be slower.
 */
export async function clusterClient(context: CommandContext): Promise<KubeClient> {
  const { provider, ref } = await resolveCluster(context);
  if (provider.runCommand && (await provider.describe(ref)).endpointAccess?.public === false) {
    context.stderr(
      `note: the API server of ${ref.name} is private; going through AKS run command (a pod in namespace aks-command, tens of seconds per call)\n`,
    );
    return runCommandClient(ref, new RunCommandTransport(provider.runCommand(ref)));
  }
  return await connectClient(provider, ref);
}

function runCommandClient(ref: ResolvedCluster['ref'], transport: RunCommandTransport): KubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: ref.name, server: ref.server, skipTLSVerify: false }],
    users: [{ name: ref.name }],
    contexts: [{ name: ref.name, cluster: ref.name, user: ref.name }],
    currentContext: ref.name,
  });
  return new KubeClient(config, { transport });
}
