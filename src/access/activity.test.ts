import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { appendAudit } from '../audit/index.js';
import type { Principal } from '../identity/index.js';
import { recentActivity, requestHistory } from './activity.js';
import { decide, revoke } from './decisions.js';
import { applyFlows } from './flow-apply.js';
import { parseFlowFile } from './flows.js';
import { transitionRecorded } from './recorded-transition.js';
import { createRequest } from './requests.js';

const flows = parseFlowFile(
  `kind: AccessFlow
metadata: {name: prod}
spec:
  requesters: {users: [rita]}
  namespaces: [prod]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {groups: [leads]}
  maxDuration: 1h
---
kind: AccessFlow
metadata: {name: dev}
spec:
  requesters: {users: [zed]}
  namespaces: [dev]
  roles: [{kind: ClusterRole, name: view}]
  approvers: {users: [ann]}
  maxDuration: 1h
`,
  'test',
);
const auditor: Principal = {
  subject: 'dave',
  groups: [],
  roles: ['auditor'],
  authenticatedBy: { kind: 'local' },
};
const admin: Principal = {
  subject: 'root',
  groups: [],
  roles: ['admin'],
  authenticatedBy: { kind: 'local' },
};
const lee = person('lee', ['leads']);

describe.each(dialects)('activity and request history from the audit log on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function scene() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    await applyFlows(store, admin, flows);
    const ask = (who: string, flow: 0 | 1, namespace: string) =>
      createRequest(store, person(who), {
        flow: flows[flow]!,
        cluster: 'c',
        role: { kind: 'ClusterRole', name: flow === 0 ? 'edit' : 'view' },
        namespace,
        durationSeconds: 600,
        reason: 'incident 7',
      });
    const rita = await ask('rita', 0, 'prod');
    const zed = await ask('zed', 1, 'dev');
    await decide(store, rita.id, lee, 'approve');
    await transitionRecorded(
      store,
      rita,
      {
        from: ['approved'],
        to: 'active',
        changes: { activated_at: new Date().toISOString() },
        now: new Date(),
      },
      { action: 'access.grant' },
    );
    await revoke(store, rita.id, person('rita'));
    await decide(store, zed.id, person('ann'), 'deny');
    await appendAudit(store, {
      actor: 'rita',
      action: 'forensics.exec',
      target: 'c/prod/pod',
      outcome: 'succeeded',
    });
    return { store, rita, zed };
  }

  it("tells one request's states in order, from its audit entries, with who moved it", async () => {
    const { store, rita } = await scene();
    const { history } = await requestHistory(store, person('rita'), rita.id);
    expect(history.map((item) => [item.actor, item.action, item.state])).toEqual([
      ['rita', 'access.request', 'pending'],
      ['lee', 'access.approve', 'approved'],
      ['gatehouse', 'access.grant', 'active'],
      ['rita', 'access.revoke', 'revoked'],
    ]);
    expect(history[1]!.summary).toBe('lee approved c/prod/ClusterRole/edit');
  });

  it("refuses someone else's request history with the answer for an id that does not exist", async () => {
    const { store, zed } = await scene();
    await expect(requestHistory(store, person('rita'), zed.id)).rejects.toMatchObject({ code: 'not-found' });
    expect((await requestHistory(store, person('ann'), zed.id)).history.map((item) => item.state)).toEqual([
      'pending',
      'denied',
    ]);
  });

  it('shows each person only the activity about requests they may see, and their own actions, newest first', async () => {
    const { store, rita, zed } = await scene();
    const mine = await recentActivity(store, person('rita'));
    expect(mine.map((item) => item.action)).toEqual([
      'forensics.exec',
      'access.revoke',
      'access.grant',
      'access.approve',
      'access.request',
    ]);
    expect(mine.every((item) => item.requestId === undefined || item.requestId === rita.id)).toBe(true);
    const ann = await recentActivity(store, person('ann'));
    expect(ann.map((item) => [item.action, item.requestId])).toEqual([
      ['access.deny', zed.id],
      ['access.request', zed.id],
    ]);
    expect(await recentActivity(store, person('stranger'))).toEqual([]);
  });

  it('shows auditors everything, and pages back from the last item seen', async () => {
    const { store } = await scene();
    const all = await recentActivity(store, auditor, { limit: 200 });
    expect(all.map((item) => item.action)).toContain('access.flow-apply');
    const first = await recentActivity(store, auditor, { limit: 3 });
    const next = await recentActivity(store, auditor, { limit: 3, olderThan: first[2]!.seq });
    expect([...first, ...next].map((item) => item.seq)).toEqual(all.slice(0, 6).map((item) => item.seq));
  });
});
