import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../../test/support/cli.js';
import { person } from '../../../test/support/principals.js';
import { freshStore } from '../../../test/support/stores.js';
import { createRequest, parseFlowFile, saveFlows } from '../../access/index.js';
import { AppError } from '../../errors.js';
import { createToken } from '../../identity/index.js';
import { startServer } from '../../server/serve.js';

const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: remote}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann]}\n  maxDuration: 1h\n',
  'test',
);

describe('access commands through a server', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('resolve a typed id prefix among the requests the user sees, and never send a wildcard', async () => {
    const fresh = await freshStore('sqlite');
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
    const server = await startServer({
      gatehouse: {
        store: async () => fresh.store,
        clusters: {
          client: async (cluster) => {
            throw new AppError('cluster.unreachable', `${cluster} is not reachable in this test`);
          },
          accessEntries: async () => undefined,
        },
      },
      host: '127.0.0.1',
      port: 0,
      intervalMs: 60_000,
      webhooks: [],
      log: () => undefined,
    });
    cleanups.push(() => server.close());
    const as = async (user: string, ...args: string[]) =>
      await cli([...args, '-o', 'json'], {
        GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-remote-')),
        GATEHOUSE_SERVER: server.url,
        GATEHOUSE_TOKEN: (await createToken(fresh.store, { user, createdBy: 'test' })).token,
      });
    const approved = await as('ann', 'access', 'approve', request.id.slice(0, 8));
    expect(approved.stderr).toBe('');
    expect(JSON.parse(approved.stdout)).toMatchObject({ id: request.id, state: 'approved' });
    // Even an approver, who sees the request, finds nothing with a wildcard; a stranger nothing by prefix.
    for (const [user, id] of [
      ['ann', '%'],
      ['ann', '_'],
      ['eve', request.id.slice(0, 8)],
    ] as const) {
      const answer = await as(user, 'access', 'show', id);
      expect({ user, id, code: answer.code, stdout: answer.stdout }).toEqual({
        user,
        id,
        code: 5,
        stdout: '',
      });
      expect(answer.stderr).toContain('no access request');
    }
  });
});
