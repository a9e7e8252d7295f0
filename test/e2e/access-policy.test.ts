import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type AccessFlow,
  createRequest,
  getRequest,
  parseFlowFile,
  reconcile,
  saveFlows,
} from '../../src/access/index.js';
import { transition } from '../../src/access/requests.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { userCan } from '../support/jit.js';
import { person } from '../support/principals.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
let store: Store;
// Per run: a binding left by an interrupted run never answers for this one.
const user = (name: string) => `jit-policy-${name}-${process.pid}`;

const flows = parseFlowFile(
  `kind: AccessFlow
metadata: {name: policy}
spec:
  requesters: {users: [${user('alice')}, ${user('bob')}, ${user('carol')}]}
  namespaces: [jit-policy]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [jit-policy-ann]}
  maxDuration: 1h
---
kind: AccessFlow
metadata: {name: labelled}
spec:
  requesters: {users: [${user('dora')}]}
  namespaceSelector: {matchLabels: {gatehouse-test/policy: "yes"}}
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [jit-policy-ann]}
  maxDuration: 1h
`,
  'test',
);
const flow = (name: string) => flows.find((candidate) => candidate.name === name) as AccessFlow;

const canEdit = (user: string, namespace = 'jit-policy') =>
  userCan(admin, user, { namespace, verb: 'create', group: 'apps', resource: 'deployments' });

/** A request, approved as an approver would: what the reconciler finds and grants. */
async function approved(user: string, flowName: string, namespace: string, seconds: number): Promise<string> {
  const request = await createRequest(store, person(user), {
    flow: flow(flowName),
    cluster,
    role: { kind: 'ClusterRole', name: 'edit' },
    namespace,
    durationSeconds: seconds,
    reason: 'incident 4711',
    namespaceLabels: async () => ({ 'gatehouse-test/policy': 'yes' }),
  });
  await transition(store, request.id, ['pending'], 'approved', {}, new Date());
  return request.id;
}

async function labelNamespace(name: string, value: string | null): Promise<void> {
  await admin
    .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } })
    .catch(() => undefined);
  await admin.request({
    method: 'PATCH',
    path: `/api/v1/namespaces/${name}`,
    patchType: 'merge',
    body: { metadata: { labels: { 'gatehouse-test/policy': value } } },
  });
}

const pass = () => reconcile({ store, clientFor: async () => admin });

beforeAll(async () => {
  await labelNamespace('jit-policy', null);
  await labelNamespace('jit-policy-labelled', 'yes');
  store = await openStore({ dataDir });
  await saveFlows(store, flows, 'admin');
});

afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('requests held to policy against the real apiserver (checked with SubjectAccessReview)', () => {
  it('still removes expired access beside requests whose duration is past the Date range', async () => {
    const alice = await approved(user('alice'), 'policy', 'jit-policy', 3);
    expect((await pass()).activated).toEqual([alice]);
    expect(await canEdit(user('alice'))).toBe(true);
    // Two records no front door accepts any more, as an older version or a hand edit left them.
    const bob = await approved(user('bob'), 'policy', 'jit-policy', 600);
    const carol = await approved(user('carol'), 'policy', 'jit-policy', 600);
    const poison = { duration_seconds: 10 ** 13 };
    await store.db.updateTable('access_requests').set(poison).where('id', 'in', [bob, carol]).execute();
    await store.db.updateTable('access_requests').set({ state: 'active' }).where('id', '=', carol).execute();
    await sleep(3500);
    const report = await pass();
    expect(report.expired).toEqual([alice]);
    expect(await canEdit(user('alice'))).toBe(false);
    expect(report.removed.some((name) => name.startsWith('RoleBinding/jit-policy/'))).toBe(true);
    // The approved one is held to the flow's maximum; the active one is refused on its own.
    expect((await getRequest(store, bob)).durationSeconds).toBe(3600);
    expect(await canEdit(user('bob'))).toBe(true);
    expect(await canEdit(user('carol'))).toBe(false);
    expect(report.errors.map((error) => error.message).join('\n')).toContain('is out of range');
    await store.db
      .updateTable('access_requests')
      .set({ state: 'revoked' })
      .where('id', 'in', [bob, carol])
      .execute();
    await pass();
    expect(await canEdit(user('bob'))).toBe(false);
  });

  it('refuses at activation a request whose namespace lost the labels its flow selects', async () => {
    const dora = await approved(user('dora'), 'labelled', 'jit-policy-labelled', 600);
    await labelNamespace('jit-policy-labelled', 'no');
    const report = await pass();
    expect(report.refused).toEqual([dora]);
    const after = await getRequest(store, dora);
    expect({ state: after.state, lastError: after.lastError }).toEqual({
      state: 'refused',
      lastError: 'namespace jit-policy-labelled is no longer in flow labelled',
    });
    expect(await canEdit(user('dora'), 'jit-policy-labelled')).toBe(false);
  });
});
