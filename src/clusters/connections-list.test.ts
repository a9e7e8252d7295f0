import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FreshStore, freshStore } from '../../test/support/stores.js';
import { ClusterConnections } from './connections.js';

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- {name: prod, cluster: {server: 'https://127.0.0.1:1'}}
- {name: staging, cluster: {server: 'https://127.0.0.1:2'}}
users:
- {name: me, user: {token: x}}
contexts:
- {name: prod, context: {cluster: prod, user: me}}
- {name: staging, context: {cluster: staging, user: me}}
current-context: staging
`;

describe('listing the clusters of a runtime', () => {
  let fresh: FreshStore | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fresh?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names every kubeconfig context, the current one marked, without reaching any', async () => {
    fresh = await freshStore('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-kubeconfig-'));
    const path = join(dir, 'config');
    writeFileSync(path, kubeconfig);
    const store = fresh.store;
    const listing = await new ClusterConnections({
      kubeconfig: path,
      env: {},
      store: async () => store,
    }).list();
    expect(listing.errors).toEqual([]);
    expect(listing.clusters.map((cluster) => [cluster.name, cluster.server, cluster.current])).toEqual([
      ['prod', 'https://127.0.0.1:1', false],
      ['staging', 'https://127.0.0.1:2', true],
    ]);
  });

  it('gives a kubeconfig it cannot read as an error entry, not an exception', async () => {
    fresh = await freshStore('sqlite');
    const store = fresh.store;
    const missing = join(tmpdir(), 'gatehouse-no-such-kubeconfig', 'config');
    const listing = await new ClusterConnections({
      kubeconfig: missing,
      env: {},
      store: async () => store,
    }).list();
    expect(listing.clusters).toEqual([]);
    expect(listing.errors).toEqual([{ source: 'kubeconfig', message: expect.stringContaining(missing) }]);
  });
});
