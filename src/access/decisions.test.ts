import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { decide } from './decisions.js';
import { saveFlows } from './flow-store.js';
import { parseFlowFile } from './flows.js';
import { createRequest } from './requests.js';

const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: two}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann, bob], required: 2}\n  maxDuration: 1h\n',
  'test',
);

describe.each(dialects)('approvals on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('needs two distinct approvers: approving twice counts once', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    await saveFlows(store, [flow!], 'admin');
    const request = await createRequest(
      store,
      { user: 'rita', groups: [] },
      {
        flow: flow!,
        cluster: 'c',
        role: { kind: 'ClusterRole', name: 'edit' },
        namespace: 'prod',
        durationSeconds: 600,
        reason: 'incident 1',
      },
    );
    expect((await decide(store, request.id, { user: 'ann', groups: [] }, 'approve')).state).toBe('pending');
    await expect(decide(store, request.id, { user: 'ann', groups: [] }, 'approve')).rejects.toThrow(
      'ann already approved',
    );
    expect((await decide(store, request.id, { user: 'bob', groups: [] }, 'approve')).state).toBe('approved');
  });
});
