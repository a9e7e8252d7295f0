import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { saveFlows } from './flow-store.js';
import { parseFlowFile } from './flows.js';
import { refuseDisallowedPending } from './policy-recheck.js';
import { reconcile } from './reconciler.js';
import { createRequest, getRequest, transition } from './requests.js';

const flowOf = (requesters: string, maxDuration = '1h') =>
  parseFlowFile(
    `kind: AccessFlow\nmetadata: {name: oncall}\nspec:\n  requesters: {users: [${requesters}]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann]}\n  maxDuration: ${maxDuration}\n`,
    'test',
  )[0]!;

/** A real client for a port nothing listens on: granting fails at once, judging needs no cluster. */
function unreachable(): KubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'c' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'c' }],
    currentContext: 'c',
  });
  return new KubeClient(config);
}

describe.each(dialects)('requests held to the current flow on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function storeWith(requesters: string): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    await saveFlows(fresh.store, [flowOf(requesters)], 'admin');
    return fresh.store;
  }

  const ask = (store: Store, user: string, durationSeconds = 1800) =>
    createRequest(store, person(user), {
      flow: flowOf('rita, sam'),
      cluster: 'c',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds,
      reason: 'incident 1',
    });

  it('ends the pending requests a newly applied flow no longer allows, and leaves the others', async () => {
    const store = await storeWith('rita, sam');
    const rita = await ask(store, 'rita');
    const sam = await ask(store, 'sam');
    expect(await refuseDisallowedPending(store, [flowOf('sam')])).toEqual([rita.id]);
    expect((await getRequest(store, rita.id)).state).toBe('refused');
    expect((await getRequest(store, rita.id)).lastError).toBe('rita is no longer a requester of flow oncall');
    expect((await getRequest(store, sam.id)).state).toBe('pending');
  });

  it('judges approved requests against the flow when it activates them: refuses a dropped requester, shortens to a lowered maximum', async () => {
    const store = await storeWith('rita, sam');
    const rita = await ask(store, 'rita');
    const sam = await ask(store, 'sam');
    const now = new Date();
    for (const { id } of [rita, sam]) await transition(store, id, ['pending'], 'approved', {}, now);
    // Changed after both were approved: only sam may ask now, and for 10 minutes at most.
    await saveFlows(store, [flowOf('sam', '10m')], 'admin');
    const client = unreachable();
    const report = await reconcile({ store, clientFor: async () => client });
    expect(report.refused).toEqual([rita.id]);
    expect((await getRequest(store, rita.id)).state).toBe('refused');
    const clipped = await getRequest(store, sam.id);
    expect({ state: clipped.state, durationSeconds: clipped.durationSeconds }).toEqual({
      state: 'approved',
      durationSeconds: 600,
    });
    const actions = (await listAudit(store, {})).map((event) => `${event.action}:${event.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['access.refuse:denied', 'access.clip:succeeded']));
  });
});
