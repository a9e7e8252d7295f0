import { isAppError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';

type Labels = Readonly<Record<string, string>>;

/**
 * Reads namespace labels with Gatehouse's client for one cluster, for flows that select namespaces
 * by label. A namespace that does not exist has no labels (undefined): it reads as outside the
 * flow, exactly like one that exists, so asking does not tell which namespaces exist.
 */
export function namespaceLabelsFor(
  client: () => Promise<KubeClient>,
): (namespace: string) => Promise<Labels | undefined> {
  return async (namespace) => {
    try {
      const object = await (await client()).request<{ metadata: { labels?: Record<string, string> } }>({
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
      });
      return object.metadata.labels ?? {};
    } catch (error) {
      if (isAppError(error) && error.code === 'not-found') return undefined;
      throw error;
    }
  };
}
