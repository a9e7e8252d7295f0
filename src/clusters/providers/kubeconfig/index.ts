import type { KubeConfig } from '@kubernetes/client-node';
import { type KubeconfigSource, loadKubeconfig, readKubeconfig } from '../../../kube/index.js';
import type { ClusterDescription, ClusterListing, ClusterProvider, ClusterRef } from '../../types.js';

/** Clusters from kubeconfig contexts, read the way kubectl reads them. */
export class KubeconfigProvider implements ClusterProvider {
  readonly kind = 'kubeconfig';
  readonly #source: KubeconfigSource;

  constructor(source: KubeconfigSource = {}) {
    this.#source = source;
  }

  async listClusters(): Promise<ClusterListing> {
    const { config } = readKubeconfig(this.#source);
    const current = config.getCurrentContext();
    const clusters = config.getContexts().map(
      (context): ClusterRef => ({
        name: context.name,
        provider: this.kind,
        server: config.getCluster(context.cluster)?.server ?? '',
        current: context.name === current,
        ...(context.user ? { user: context.user } : {}),
        ...(context.namespace ? { namespace: context.namespace } : {}),
      }),
    );
    return { clusters, errors: [] };
  }

  async connect(cluster: ClusterRef): Promise<KubeConfig> {
    return loadKubeconfig({ ...this.#source, context: cluster.name }).config;
  }

  async describe(cluster: ClusterRef): Promise<ClusterDescription> {
    const config = await this.connect(cluster);
    const user = config.getCurrentUser();
    const authMode = user?.exec
      ? `exec:${user.exec.command}`
      : user?.authProvider
        ? `auth-provider:${user.authProvider.name}`
        : user?.token
          ? 'token'
          : user?.certData || user?.certFile
            ? 'client-certificate'
            : user?.username
              ? 'basic'
              : 'none';
    return { cluster, endpoint: cluster.server, authMode };
  }
}
