import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { decide, parseFlowFile, saveFlows } from '../access/index.js';
import { createRequest } from '../access/requests.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { type RunningServer, startServer } from './serve.js';

const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: ha}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann]}\n  maxDuration: 1h\n',
  'test',
);

describe.each(dialects)('several serve replicas over one %s store', (dialect) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('run the reconciler on one replica at a time, and hand it over when that one stops', async () => {
    const fresh = await freshStore(dialect);
    cleanups.push(fresh.cleanup);
    await saveFlows(fresh.store, [flow!], 'admin');
    const request = await createRequest(fresh.store, person('rita'), {
      flow: flow!,
      cluster: 'prod-eu',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds: 600,
      reason: 'incident 7',
    });
    await decide(fresh.store, request.id, person('ann'), 'approve');
    // The approved request makes every reconcile pass ask for the cluster: the count shows who reconciles.
    const passes = { a: 0, b: 0 };
    const start = async (name: 'a' | 'b', store: Store): Promise<RunningServer> => {
      const server = await startServer({
        gatehouse: {
          store: async () => store,
          clusters: {
            client: async (cluster) => {
              passes[name]++;
              throw new AppError('cluster.unreachable', `${cluster} is not reachable in this test`);
            },
            accessEntries: async () => undefined,
          },
        },
        host: '127.0.0.1',
        port: 0,
        intervalMs: 100,
        webhooks: [],
        log: () => undefined,
        replicaId: `replica-${name}`,
      });
      cleanups.push(() => server.close());
      return server;
    };
    const otherStore = await fresh.reopen();
    cleanups.push(() => otherStore.close());
    const [a, b] = await Promise.all([start('a', fresh.store), start('b', otherStore)]);
    await Promise.all([a.firstPass, b.firstPass]);
    await sleep(500);
    expect([a.leader(), b.leader()].filter(Boolean)).toHaveLength(1);
    const [leader, standby] = a.leader() ? (['a', 'b'] as const) : (['b', 'a'] as const);
    expect(passes[leader]).toBeGreaterThan(1);
    expect(passes[standby]).toBe(0);
    const health = await (await fetch(`${(standby === 'a' ? a : b).url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, replica: `replica-${standby}`, reconciler: 'standby' });

    await (leader === 'a' ? a : b).close();
    // The stopped replica gives the lease up; the other's next pass takes it.
    const deadline = Date.now() + 5000;
    while (passes[standby] === 0 && Date.now() < deadline) await sleep(50);
    expect(passes[standby]).toBeGreaterThan(0);
    expect((standby === 'a' ? a : b).leader()).toBe(true);
  });
});

describe('serve on an address it cannot have', () => {
  it('says the address is taken and how to choose another, and leaves nothing running', async () => {
    const fresh = await freshStore('sqlite');
    const options = {
      gatehouse: {
        store: async () => fresh.store,
        clusters: {
          client: async () => {
            throw new AppError('internal', 'no cluster in this test');
          },
          accessEntries: async () => undefined,
        },
      },
      host: '127.0.0.1',
      port: 0,
      intervalMs: 1000,
      webhooks: [],
      log: () => undefined,
    };
    const first = await startServer(options);
    try {
      const port = Number(new URL(first.url).port);
      const second = startServer({ ...options, port, replicaId: 'second' });
      await expect(second).rejects.toThrow(`127.0.0.1:${port} is already in use by another process`);
      await expect(second).rejects.toMatchObject({
        code: 'conflict',
        fix: expect.stringContaining('--listen'),
      });
    } finally {
      await first.close();
      await fresh.cleanup();
    }
  });
});
