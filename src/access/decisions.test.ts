import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { isNotifiable, slackPayload } from '../notifications/index.js';
import type { Store } from '../store/index.js';
import { requestHistory } from './activity.js';
import { decide, extend, revoke } from './decisions.js';
import { saveFlows } from './flow-store.js';
import { parseFlowFile } from './flows.js';
import { createRequest, getRequest, transition } from './requests.js';

const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: two}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann, bob], required: 2}\n  maxDuration: 1h\n',
  'test',
);

describe.each(dialects)('approvals on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function pendingRequest() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    await saveFlows(store, [flow!], 'admin');
    const request = await ask(store);
    return { store, request };
  }
  const ask = (store: Store) =>
    createRequest(store, rita, {
      flow: flow!,
      cluster: 'c',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds: 600,
      reason: 'incident 1',
    });
  const ann = person('ann');
  const bob = person('bob');
  const rita = person('rita');

  it('keeps a decision’s reason in the audit log and shows it in the request’s history; refuses an overlong one', async () => {
    const { store, request } = await pendingRequest();
    await expect(decide(store, request.id, ann, 'deny', { reason: 'x'.repeat(2001) })).rejects.toThrow(
      'longer than 2000',
    );
    expect((await getRequest(store, request.id)).state).toBe('pending');
    await decide(store, request.id, ann, 'deny', { reason: '  use the read-only flow for this  ' });
    const denial = (await listAudit(store)).find((event) => event.action === 'access.deny');
    expect(denial?.details).toMatchObject({ state: 'denied', reason: 'use the read-only flow for this' });
    const { history } = await requestHistory(store, rita, request.id);
    expect(history.find((item) => item.action === 'access.deny')?.note).toBe(
      'use the read-only flow for this',
    );
    // The request's own reason is the requester's, not a note on the request step.
    expect(history.find((item) => item.action === 'access.request')?.note).toBeUndefined();
  });

  it('needs two distinct approvers: approving twice counts once', async () => {
    const { store, request } = await pendingRequest();
    expect((await decide(store, request.id, ann, 'approve')).state).toBe('pending');
    await expect(decide(store, request.id, ann, 'approve')).rejects.toThrow('ann already decided');
    expect((await decide(store, request.id, bob, 'approve')).state).toBe('approved');
  });

  it('counts two approvals made at the same moment: the request is approved, not left pending', async () => {
    const { store, request: first } = await pendingRequest();
    const requests = [first];
    for (let index = 0; index < 7; index++) requests.push(await ask(store));
    await Promise.all(
      requests.flatMap((request) => [
        decide(store, request.id, ann, 'approve'),
        decide(store, request.id, bob, 'approve'),
      ]),
    );
    for (const request of requests) {
      const after = await getRequest(store, request.id);
      expect(after.state).toBe('approved');
      expect([...after.approvals].sort()).toEqual(['ann', 'bob']);
    }
  });

  it('answers a double submit with a conflict, and records the approval once', async () => {
    const { store, request } = await pendingRequest();
    const results = await Promise.allSettled([
      decide(store, request.id, ann, 'approve'),
      decide(store, request.id, ann, 'approve'),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toMatchObject({ code: 'conflict' });
    expect((await getRequest(store, request.id)).approvals).toEqual(['ann']);
    const approvals = (await listAudit(store, {})).filter((event) => event.action === 'access.approve');
    expect(approvals).toHaveLength(1);
  });

  it('audits what happened when a cancel meets an approval: never "cancelled" for access that was granted', async () => {
    const oneApprover = parseFlowFile(
      'kind: AccessFlow\nmetadata: {name: two}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann]}\n  maxDuration: 1h\n',
      'test',
    );
    for (let round = 0; round < 5; round++) {
      const { store, request } = await pendingRequest();
      await saveFlows(store, oneApprover, 'admin');
      await Promise.allSettled([decide(store, request.id, ann, 'approve'), revoke(store, request.id, rita)]);
      const { state } = await getRequest(store, request.id);
      const actions = (await listAudit(store, {}))
        .filter(
          (event) =>
            event.outcome === 'succeeded' &&
            event.action !== 'access.request' &&
            event.action !== 'access.flow-apply',
        )
        .map((event) => event.action)
        // Both audit after their change commits, so the two entries may land in either order.
        .sort();
      if (state === 'cancelled') expect(actions).toEqual(['access.cancel']);
      else
        expect({ state, actions }).toEqual({
          state: 'revoked',
          actions: ['access.approve', 'access.revoke'],
        });
      await cleanup?.();
      cleanup = undefined;
    }
  });

  it('refuses a decision on a request that ended meanwhile, without recording it', async () => {
    const { store, request } = await pendingRequest();
    await revoke(store, request.id, rita);
    await expect(decide(store, request.id, ann, 'approve')).rejects.toMatchObject({ code: 'conflict' });
    expect((await getRequest(store, request.id)).approvals).toEqual([]);
  });

  it('lets an extension and the expiry of the same deadline not both win', async () => {
    const { store, request } = await pendingRequest();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 600_000).toISOString();
    await transition(
      store,
      request.id,
      ['pending'],
      'active',
      { activated_at: now.toISOString(), expires_at: expiresAt },
      now,
    );
    // Two approvers extend at once: each extension reported done is in the expiry, none is lost.
    for (let round = 0; round < 6; round++) {
      const before = (await getRequest(store, request.id)).expiresAt!;
      const results = await Promise.allSettled([
        extend(store, request.id, ann, 60),
        extend(store, request.id, bob, 60),
      ]);
      const done = results.filter((result) => result.status === 'fulfilled').length;
      for (const result of results)
        if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'conflict' });
      const after = (await getRequest(store, request.id)).expiresAt!;
      expect(Date.parse(after) - Date.parse(before)).toBe(done * 60_000);
    }
    // An expiry decided on the old deadline does not end the extended access.
    expect(
      await transition(store, request.id, ['active'], 'expired', { ended_at: expiresAt }, now, expiresAt),
    ).toBe(false);
    expect((await getRequest(store, request.id)).state).toBe('active');
  });
});

describe.each(dialects)('decisions held to the flow as it is now, on %s', (dialect) => {
  const base = (spec: string) =>
    parseFlowFile(
      `kind: AccessFlow\nmetadata: {name: two}\nspec:\n${spec}  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann]}\n`,
      'test',
    )[0]!;
  const original = base('  requesters: {users: [rita]}\n  namespaces: [prod]\n  maxDuration: 1h\n');
  const rita = person('rita');
  const ann = person('ann');

  async function pending(): Promise<{ store: Store; id: string; done: () => Promise<void> }> {
    const fresh = await freshStore(dialect);
    await saveFlows(fresh.store, [original], 'admin');
    const request = await createRequest(fresh.store, rita, {
      flow: original,
      cluster: 'c',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds: 1800,
      reason: 'incident 1',
    });
    return { store: fresh.store, id: request.id, done: fresh.cleanup };
  }

  it('refuses to approve a request whose requester, role, cluster or namespace the flow dropped, and ends it, audited and announced', async () => {
    const changes = {
      requester: base('  requesters: {users: [someone-else]}\n  namespaces: [prod]\n  maxDuration: 1h\n'),
      role: parseFlowFile(
        'kind: AccessFlow\nmetadata: {name: two}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: view}]\n  approvers: {users: [ann]}\n  maxDuration: 1h\n',
        'test',
      )[0]!,
      cluster: base(
        '  requesters: {users: [rita]}\n  clusters: [other]\n  namespaces: [prod]\n  maxDuration: 1h\n',
      ),
      namespace: base('  requesters: {users: [rita]}\n  namespaces: [staging]\n  maxDuration: 1h\n'),
    };
    for (const [change, flow] of Object.entries(changes)) {
      const { store, id, done } = await pending();
      try {
        await saveFlows(store, [flow], 'admin');
        await expect(decide(store, id, ann, 'approve'), change).rejects.toMatchObject({ code: 'conflict' });
        const after = await getRequest(store, id);
        expect({ change, state: after.state, approvals: after.approvals }).toEqual({
          change,
          state: 'refused',
          approvals: [],
        });
        const [refusal] = (await listAudit(store, {})).filter((event) => event.action === 'access.refuse');
        expect(refusal).toMatchObject({ actor: 'gatehouse', outcome: 'denied', details: { id } });
        expect(isNotifiable(refusal!)).toBe(true);
        expect(slackPayload(refusal!).text).toContain(after.lastError);
      } finally {
        await done();
      }
    }
  });

  it('shortens a request to the lowered maximum when it is approved, and says so', async () => {
    const { store, id, done } = await pending();
    try {
      await saveFlows(
        store,
        [base('  requesters: {users: [rita]}\n  namespaces: [prod]\n  maxDuration: 10m\n')],
        'admin',
      );
      const approved = await decide(store, id, ann, 'approve');
      expect({ state: approved.state, durationSeconds: approved.durationSeconds }).toEqual({
        state: 'approved',
        durationSeconds: 600,
      });
      const [clip] = (await listAudit(store, {})).filter((event) => event.action === 'access.clip');
      expect(clip?.details).toMatchObject({ id, fromSeconds: 1800, toSeconds: 600 });
      expect(slackPayload(clip!).text).toContain('was shortened to 10 min');
    } finally {
      await done();
    }
  });
});
