import { isAppError } from '../errors.js';
import type { KubeClient } from './client.js';

export interface ListOptions {
  /** e.g. `/apis/rbac.authorization.k8s.io/v1/rolebindings`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly pageSize?: number;
  /** Attempts per page on 429, 5xx and timeouts. */
  readonly attempts?: number;
  /** Waits between attempts; injectable so tests do not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ListResult<T> {
  readonly items: T[];
  /** The resourceVersion of the list, for history and later watches. */
  readonly resourceVersion: string;
}

interface ListPage<T> {
  readonly items?: T[];
  readonly metadata?: { readonly continue?: string; readonly resourceVersion?: string };
}

/** Lists every item of a collection, page by page, retrying transient failures. */
export async function listAll<T>(client: KubeClient, options: ListOptions): Promise<ListResult<T>> {
  const items: T[] = [];
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const page = await withRetries(
      () =>
        client.request<ListPage<T>>({
          path: options.path,
          query: {
            limit: options.pageSize ?? 500,
            continue: token,
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
          },
        }),
      options,
    );
    items.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
  } while (token);
  return { items, resourceVersion };
}

const transientStatuses = new Set(['429', '500', '502', '503', '504']);

export function isTransient(error: unknown): boolean {
  if (!isAppError(error)) return false;
  if (error.code === 'cluster.timeout') return true;
  return error.code === 'cluster.unreachable' && transientStatuses.has(error.details.status ?? '');
}

export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: Pick<ListOptions, 'attempts' | 'sleep'> = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || tried >= attempts) throw error;
      await sleep(200 * 2 ** (tried - 1));
    }
  }
}
