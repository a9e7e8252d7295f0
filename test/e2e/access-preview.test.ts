import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type AccessFlow,
  type AccessRequest,
  createRequest,
  grantPreview,
  grantPreviewFor,
  parseFlowFile,
  saveFlows,
} from '../../src/access/index.js';
import type { Principal } from '../../src/identity/index.js';
import { syncCluster } from '../../src/inventory/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { person } from '../support/principals.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-preview-'));
const namespace = 'jit-preview';
// Per run, so a binding an interrupted run left never answers for this one.
const requester = `jit-preview-${process.pid}`;
const rbac = '/apis/rbac.authorization.k8s.io/v1';
let store: Store;

const [flow] = parseFlowFile(
  `kind: AccessFlow
metadata: {name: preview}
spec:
  requesters: {users: [${requester}]}
  namespaces: [${namespace}]
  roles:
    - {kind: ClusterRole, name: edit}
    - {kind: ClusterRole, name: jit-preview-missing}
    - {kind: Role, name: log-reader}
    - {kind: ClusterRole, name: view, scope: cluster}
    - {kind: ClusterRole, name: jit-preview-csr-approver, scope: cluster}
  approvers: {users: [ann]}
  maxDuration: 1h
`,
  'test',
) as [AccessFlow];

const preview = (of: AccessRequest, principal: Principal = person(requester)) =>
  grantPreviewFor({ store, principal, id: of.id, client: async () => admin });

const request = (
  role: { kind: 'Role' | 'ClusterRole'; name: string },
  inNamespace: string | null = namespace,
) =>
  createRequest(store, person(requester), {
    flow,
    cluster,
    role,
    namespace: inNamespace ?? undefined,
    durationSeconds: 600,
    reason: 'incident 4711',
  });

async function put(path: string, body: Record<string, unknown>): Promise<void> {
  await admin.request({ method: 'POST', path, body }).catch(() => undefined);
}

beforeAll(async () => {
  await put('/api/v1/namespaces', { metadata: { name: namespace } });
  await put(`${rbac}/namespaces/${namespace}/roles`, {
    metadata: { name: 'log-reader', namespace },
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }],
  });
  // What the requester holds before the grant: view in the namespace.
  await put(`${rbac}/namespaces/${namespace}/rolebindings`, {
    metadata: { name: requester, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: requester }],
  });
  // Half of a dangerous pair, held already: creating certificate requests.
  const csr = { apiGroups: ['certificates.k8s.io'] };
  await put(`${rbac}/clusterroles`, {
    metadata: { name: 'jit-preview-csr-creator' },
    rules: [{ ...csr, verbs: ['create'], resources: ['certificatesigningrequests'] }],
  });
  await put(`${rbac}/clusterroles`, {
    metadata: { name: 'jit-preview-csr-approver' },
    rules: [
      { ...csr, verbs: ['update'], resources: ['certificatesigningrequests/approval'] },
      {
        ...csr,
        verbs: ['approve'],
        resources: ['signers'],
        resourceNames: ['kubernetes.io/kube-apiserver-client'],
      },
    ],
  });
  await put(`${rbac}/clusterrolebindings`, {
    metadata: { name: requester },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'jit-preview-csr-creator' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: requester }],
  });
  store = await openStore({ dataDir });
  await saveFlows(store, [flow], 'admin');
});

afterAll(async () => {
  await admin
    .request({ method: 'DELETE', path: `${rbac}/clusterrolebindings/${requester}` })
    .catch(() => undefined);
  await admin
    .request({ method: 'DELETE', path: `${rbac}/namespaces/${namespace}/rolebindings/${requester}` })
    .catch(() => undefined);
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('what a pending grant would add, read from the real apiserver', () => {
  it("gathers the aggregated edit role's rules, scoped to the namespace, and flags exec and secrets as risky", async () => {
    const shown = await preview(await request({ kind: 'ClusterRole', name: 'edit' }));
    expect(shown).toMatchObject({
      subject: `User ${requester}`,
      access: `ClusterRole/edit in namespace ${namespace}`,
      aggregated: true,
      errors: [],
      alreadyHeld: { status: 'not-computed', reason: expect.stringContaining('no usable sync') },
    });
    expect(shown.permissions).toContainEqual(
      expect.objectContaining({
        namespace,
        resource: 'pods/exec',
        verbs: expect.arrayContaining(['create']),
      }),
    );
    expect(shown.permissions).toContainEqual(
      expect.objectContaining({
        resource: 'deployments.apps',
        verbs: expect.arrayContaining(['create', 'delete']),
      }),
    );
    expect(shown.permissions.every((line) => line.namespace === namespace)).toBe(true);
    expect(shown.risks.map((risk) => risk.check)).toEqual(
      expect.arrayContaining(['pod-exec', 'read-secrets']),
    );
  });

  it('marks what the requester already holds by the latest RBAC sync, and what is new', async () => {
    await syncCluster(store, admin);
    const shown = await preview(await request({ kind: 'ClusterRole', name: 'edit' }));
    expect(shown.alreadyHeld).toEqual({ status: 'computed', source: expect.stringContaining('sync ') });
    const line = (resource: string) => shown.permissions.find((candidate) => candidate.resource === resource);
    expect(line('pods/log')?.alreadyHeld).toBe(true);
    expect(line('pods/exec')?.alreadyHeld).toBe(false);
  });

  it('reads a Role in the namespace, and a cluster-wide grant applies everywhere', async () => {
    const role = await preview(await request({ kind: 'Role', name: 'log-reader' }));
    expect(role.permissions).toEqual([
      { namespace, resource: 'pods/log', verbs: ['get'], resourceNames: [], alreadyHeld: true },
    ]);
    expect(role.risks).toEqual([]);
    const view = await preview(await request({ kind: 'ClusterRole', name: 'view' }, null));
    expect(view.access).toBe('ClusterRole/view cluster-wide');
    expect(view.permissions.length).toBeGreaterThan(5);
    expect(view.permissions.every((line) => line.namespace === undefined)).toBe(true);
  });

  it('puts first the dangerous pair the grant completes with what the requester already holds', async () => {
    await syncCluster(store, admin);
    const shown = await preview(
      await request({ kind: 'ClusterRole', name: 'jit-preview-csr-approver' }, null),
    );
    expect(shown.risks[0]).toMatchObject({
      check: 'approve-csr',
      severity: 'critical',
      title: expect.stringContaining('together with access already held'),
      why: expect.stringContaining(`ClusterRoleBinding ${requester} → ClusterRole jit-preview-csr-creator`),
    });
    expect(shown.permissions.every((line) => line.alreadyHeld === false)).toBe(true);
  });

  it('answers the approver, and refuses a stranger as if the request did not exist', async () => {
    const asked = await request({ kind: 'ClusterRole', name: 'view' }, null);
    expect((await preview(asked, person('ann'))).subject).toBe(`User ${requester}`);
    await expect(preview(asked, person('mallory'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('previews a request the caller already holds, without a store leaving already-held not computed', async () => {
    const shown = await grantPreview({
      request: await request({ kind: 'Role', name: 'log-reader' }),
      client: async () => admin,
    });
    expect(shown.alreadyHeld).toEqual({ status: 'not-computed', reason: 'no store was given' });
    expect(shown.permissions).toEqual([
      { namespace, resource: 'pods/log', verbs: ['get'], resourceNames: [] },
    ]);
  });

  it('reports a role the cluster does not have as an error in the preview, not an exception', async () => {
    const shown = await preview(await request({ kind: 'ClusterRole', name: 'jit-preview-missing' }));
    expect(shown.permissions).toEqual([]);
    expect(shown.errors).toEqual([
      expect.stringContaining('ClusterRole jit-preview-missing does not exist in cluster'),
    ]);
  });
});
