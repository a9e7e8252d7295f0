import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { hashToken } from '../identity/index.js';
import { recordConnected, recordDisconnected, renewPresence } from './presence.js';
import {
  agentState,
  authenticateAgent,
  createAgent,
  listAgents,
  revokeAgent,
  rotateAgentToken,
} from './records.js';

describe.each(dialects)('agent tokens on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('keeps only the hash of an agent token, authenticates with it, and audits creation, rotation and revocation', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const { agent, token } = await createAgent(store, { name: 'prod-eu', actor: 'local:root' });
    expect(agent.cluster).toBe('agent/prod-eu');
    const row = await store.db.selectFrom('agents').selectAll().executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect((await authenticateAgent(store, token)).id).toBe(agent.id);

    const rotated = await rotateAgentToken(store, { name: 'prod-eu', actor: 'local:root' });
    await expect(authenticateAgent(store, token)).rejects.toMatchObject({ code: 'auth.unauthorized' });
    expect((await authenticateAgent(store, rotated.token)).name).toBe('prod-eu');

    await revokeAgent(store, { name: 'prod-eu', actor: 'local:root' });
    await expect(authenticateAgent(store, rotated.token)).rejects.toMatchObject({
      code: 'auth.unauthorized',
      message: 'agent "prod-eu" was revoked',
    });
    const actions = (await listAudit(store, {})).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.create', 'agent.rotate', 'agent.revoke']));
    expect(JSON.stringify(await listAudit(store, {}))).not.toContain(rotated.token);
  });

  it('refuses a second agent of the same name, bad names and tokens that are not agent tokens', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    await createAgent(fresh.store, { name: 'web', actor: 'local:root' });
    await expect(createAgent(fresh.store, { name: 'web', actor: 'local:root' })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(createAgent(fresh.store, { name: 'Web/../x', actor: 'local:root' })).rejects.toMatchObject({
      code: 'input.invalid',
    });
    await expect(authenticateAgent(fresh.store, 'gth_not-an-agent')).rejects.toMatchObject({
      code: 'auth.unauthorized',
    });
    await expect(authenticateAgent(fresh.store, undefined)).rejects.toMatchObject({
      code: 'auth.unauthorized',
    });
  });

  it('shows an agent online while its connection is renewed, offline once it ends or goes stale, and drops a rotated token', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const { agent, token } = await createAgent(store, { name: 'edge', actor: 'local:root' });
    expect(agentState(agent)).toBe('never-connected');
    const hello = { version: '0.1.0', clusterUid: 'uid-1', kubernetesVersion: 'v1.36.3' };
    const t0 = new Date('2026-12-01T10:00:00Z');
    await recordConnected(store, { agent, hello, replica: 'r1', address: '10.0.0.5' }, t0);
    const [online] = await listAgents(store);
    expect(agentState(online!, new Date(t0.getTime() + 5_000))).toBe('online');
    expect(agentState(online!, new Date(t0.getTime() + 60_000))).toBe('offline');
    expect(online).toMatchObject({ clusterUid: 'uid-1', kubernetesVersion: 'v1.36.3' });
    expect(await renewPresence(store, { agent, tokenHash: hashToken(token), replica: 'r1' })).toBe(true);

    await expect(
      recordConnected(store, {
        agent: online!,
        hello: { ...hello, clusterUid: 'uid-2' },
        replica: 'r1',
        address: 'x',
      }),
    ).rejects.toMatchObject({ code: 'auth.forbidden' });

    await recordDisconnected(store, { agent, replica: 'r1', reason: 'the agent closed the connection' });
    const [offline] = await listAgents(store);
    expect(agentState(offline!)).toBe('offline');
    expect(offline!.lastError).toBe('the agent closed the connection');

    await rotateAgentToken(store, { name: 'edge', actor: 'local:root' });
    expect(await renewPresence(store, { agent, tokenHash: hashToken(token), replica: 'r1' })).toBe(false);
    const events = await listAudit(store, {});
    expect(events.filter((event) => event.action === 'agent.connect').map((event) => event.outcome)).toEqual([
      'succeeded',
      'denied',
    ]);
    expect(events.some((event) => event.action === 'agent.disconnect')).toBe(true);
  });
});
