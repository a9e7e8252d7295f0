import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeError } from '../errors.js';
import { readCluster } from '../inventory/index.js';
import type { KubeClient } from '../kube/index.js';
import { effectivePermissions, identityOf, RbacIndex } from '../rbac/index.js';
import { sha256 } from './evidence/package.js';
import type { ManifestItem } from './evidence/types.js';

interface ApiTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly node: string;
  readonly serviceAccount: string;
}

/**
 * What the API server knows about the target, saved beside what the container returned: pod,
 * events, logs (current and previous), node, and what the pod's service account may do.
 * Each item that cannot be read is recorded as unavailable with the reason.
 */
export async function collectApiItems(
  client: KubeClient,
  root: string,
  target: ApiTarget,
  log: (line: string) => void,
): Promise<ManifestItem[]> {
  const ns = encodeURIComponent(target.namespace);
  const pod = encodeURIComponent(target.pod);
  const items: ManifestItem[] = [];
  const save = async (path: string, source: string, read: () => Promise<string>) => {
    try {
      const text = await read();
      const absolute = join(root, path);
      mkdirSync(dirname(absolute), { recursive: true });
      writeFileSync(absolute, text, { flag: 'wx', mode: 0o600 });
      items.push({
        path,
        source,
        artifact: 'api',
        method: 'api',
        type: 'api',
        status: 'collected',
        sha256: sha256(text),
        size: Buffer.byteLength(text),
      });
    } catch (error) {
      const reason = describeError(error);
      log(`UNAVAILABLE ${source}: ${reason}`);
      items.push({
        path: '',
        source,
        artifact: 'api',
        method: 'api',
        type: 'api',
        status: 'unavailable',
        sha256: '',
        size: 0,
      });
    }
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await Promise.all([
    save('api/pod.json', `api pods/${target.namespace}/${target.pod}`, async () =>
      json(await client.request({ path: `/api/v1/namespaces/${ns}/pods/${pod}` })),
    ),
    save('api/events.json', `api events of pod ${target.pod}`, async () =>
      json(
        await client.request({
          path: `/api/v1/namespaces/${ns}/events`,
          query: { fieldSelector: `involvedObject.name=${target.pod}` },
        }),
      ),
    ),
    save(`api/logs/${target.container}.log`, `api logs ${target.container}`, () =>
      client.requestText({
        path: `/api/v1/namespaces/${ns}/pods/${pod}/log`,
        query: { container: target.container, timestamps: 'true', limitBytes: 50 * 1024 * 1024 },
      }),
    ),
    save(`api/logs/${target.container}.previous.log`, `api previous logs ${target.container}`, () =>
      client.requestText({
        path: `/api/v1/namespaces/${ns}/pods/${pod}/log`,
        query: {
          container: target.container,
          timestamps: 'true',
          previous: 'true',
          limitBytes: 50 * 1024 * 1024,
        },
      }),
    ),
    ...(target.node
      ? [
          save('api/node.json', `api nodes/${target.node}`, async () =>
            json(await client.request({ path: `/api/v1/nodes/${encodeURIComponent(target.node)}` })),
          ),
        ]
      : []),
    save(
      'api/serviceaccount-permissions.json',
      `rbac effective permissions of ${target.namespace}/${target.serviceAccount}`,
      async () => {
        const read = await readCluster(client);
        if (read.errors.length > 0)
          throw new Error(`RBAC could not be read: ${read.errors.map((error) => error.resource).join(', ')}`);
        const index = new RbacIndex(read);
        return json(
          effectivePermissions(
            index,
            identityOf({ kind: 'serviceaccount', namespace: target.namespace, name: target.serviceAccount }),
          ),
        );
      },
    ),
  ]);
  return items;
}
