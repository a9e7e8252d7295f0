import { AppError, isAppError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import type { AccessFlow } from './flows.js';

/**
 * The labels of a namespace, read only when the flow selects namespaces by label (a flow with
 * names only never needs the cluster to accept a request).
 */
export async function namespaceLabelsFor(
  client: () => Promise<KubeClient>,
  flow: AccessFlow,
  namespace: string | undefined,
): Promise<Readonly<Record<string, string>> | undefined> {
  if (!flow.namespaceSelector || !namespace) return undefined;
  try {
    const object = await (await client()).request<{ metadata: { labels?: Record<string, string> } }>({
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
    });
    return object.metadata.labels ?? {};
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found')
      throw new AppError('input.invalid', `namespace ${namespace} does not exist`, {
        fix: 'Check the namespace name (kubectl get namespaces)',
        cause: error,
      });
    throw error;
  }
}
