import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/index.js';

/**
 * A real client for cluster "prod" on a port nothing listens on: routes and pages that never need
 * the cluster answer as usual, and any call that does reach for it fails as unreachable.
 */
export function unreachableClient(): KubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'prod', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'prod' }],
    contexts: [{ name: 'prod', cluster: 'prod', user: 'prod' }],
    currentContext: 'prod',
  });
  return new KubeClient(config);
}
