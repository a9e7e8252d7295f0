import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createRequest,
  decide,
  getFlow,
  getRequest,
  parseFlowFile,
  reconcile,
  revoke,
  saveFlows,
} from '../../src/access/index.js';
import type { ClusterRef } from '../../src/clusters/index.js';
import { EksProvider } from '../../src/clusters/providers/eks/index.js';
import { readCluster } from '../../src/inventory/index.js';
import { KubeClient, loadKubeconfig, whoAmI } from '../../src/kube/index.js';
import { type ReviewItem, revokeItem } from '../../src/reviews/index.js';
import type { Store } from '../../src/store/index.js';
import { account, type EksWorld, startEksWorld } from '../support/eks.js';
import { waitFor } from '../support/jit.js';
import { person } from '../support/principals.js';
import { freshStore } from '../support/stores.js';

const admin = new KubeClient(loadKubeconfig({ path: inject('kubeconfig') }).config);
const alice = person('alice', ['oncall']);
const lead = person('lead');
const aliceRole = `arn:aws:iam::${account}:role/oncall-alice`;
const viewPolicy = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
let world: EksWorld;
let store: Store;
let cleanStore: () => Promise<void>;
let gatehouse: EksProvider;
let ref: ClusterRef;
let aliceClient: KubeClient;

const flows = (mode: string, role: string) => `kind: AccessFlow
metadata: {name: eks-${mode}}
spec:
  requesters: {groups: [oncall]}
  namespaces: [dev, payments]
  roles: [${role}]
  approvers: {users: [lead]}
  maxDuration: 2h
  mode: ${mode}
  eks: {principalArn: "arn:aws:iam::${account}:role/oncall-{user}"}
`;

/** One reconcile pass as `gatehouse serve` runs it, at a chosen time. */
const pass = (at = new Date()) =>
  reconcile({
    store,
    clientFor: async () => admin,
    accessEntriesFor: async () => gatehouse.accessEntries(ref),
    now: () => at,
  });

// The API server caches a webhook-authenticated token for 10 s, so a removed mapping or entry
// stops working up to 10 s later; the waits below allow for that on a loaded machine.
const tokenCacheWaitMs = 30_000;
const canAuthenticate = () =>
  whoAmI(aliceClient).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  world = await startEksWorld(admin);
  ({ store, cleanup: cleanStore } = await freshStore('sqlite'));
  await world.createRole('oncall-alice');
  await world.createCluster('local-test', 'us-east-1', {
    local: true,
    authenticationMode: 'API_AND_CONFIG_MAP',
  });
  gatehouse = new EksProvider({ name: 'gatehouse', regions: ['us-east-1'], endpoint: world.endpoint });
  ref = (await gatehouse.listClusters()).clusters[0]!;
  // Alice signs in to the cluster as her own IAM role, as `aws eks get-token` would.
  const asAlice = new EksProvider({
    name: 'alice',
    regions: ['us-east-1'],
    endpoint: world.endpoint,
    account: { roleArns: [aliceRole] },
  });
  aliceClient = new KubeClient(await asAlice.connect(ref));
  await saveFlows(
    store,
    [
      ...parseFlowFile(
        flows('access-entry', '{kind: AccessPolicy, name: AmazonEKSViewPolicy}'),
        'flows.yaml',
      ),
      ...parseFlowFile(flows('aws-auth', '{kind: ClusterRole, name: view}'), 'flows.yaml'),
    ],
    'test',
  );
});

afterAll(async () => {
  await world?.close();
  await cleanStore?.();
});

const request = async (flow: string, role: string, namespace: string, seconds = 600) => {
  const created = await createRequest(store, alice, {
    flow: await getFlow(store, flow),
    cluster: ref.name,
    role: { kind: role.split('/')[0] as 'AccessPolicy', name: role.split('/')[1]! },
    namespace,
    durationSeconds: seconds,
    reason: 'incident 4711',
  });
  await decide(store, created.id, lead, 'approve');
  return created.id;
};

describe('just-in-time access on EKS (moto, access entries fake, the test cluster behind an EKS token webhook)', () => {
  it('access-entry mode: creates her entry with the policy scoped to the namespaces asked, keeps it while one grant lasts, deletes it after the last', async () => {
    const entries = gatehouse.accessEntries(ref);
    expect(await canAuthenticate()).toBe(false);
    const first = await request('eks-access-entry', 'AccessPolicy/AmazonEKSViewPolicy', 'dev', 600);
    const second = await request('eks-access-entry', 'AccessPolicy/AmazonEKSViewPolicy', 'payments', 1200);
    const start = new Date();
    const report = await pass(start);
    expect(report.errors).toEqual([]);
    expect([...report.activated].sort()).toEqual([first, second].sort());
    expect((await entries.accessEntry(aliceRole))?.policies).toEqual([
      { policyArn: viewPolicy, accessScope: { type: 'namespace', namespaces: ['dev', 'payments'] } },
    ]);
    // Her IAM role now gets into the cluster (the EKS authorizer would apply the view policy).
    await waitFor(canAuthenticate, true, 5_000);

    await pass(new Date(start.getTime() + 601_000));
    expect((await getRequest(store, first)).state).toBe('expired');
    expect((await entries.accessEntry(aliceRole))?.policies).toEqual([
      { policyArn: viewPolicy, accessScope: { type: 'namespace', namespaces: ['payments'] } },
    ]);
    await pass(new Date(start.getTime() + 1_201_000));
    expect((await getRequest(store, second)).state).toBe('expired');
    expect(await entries.accessEntry(aliceRole)).toBeUndefined();
    // The API server caches an authenticated token for 10 s; after that she is out.
    await waitFor(canAuthenticate, false, tokenCacheWaitMs);
  });

  it('access-entry mode: never takes over an association someone else made', async () => {
    const entries = gatehouse.accessEntries(ref);
    await entries.createAccessEntry({ principalArn: aliceRole });
    await entries.associateAccessPolicy({
      principalArn: aliceRole,
      policyArn: viewPolicy,
      accessScope: { type: 'cluster' },
    });
    const id = await request('eks-access-entry', 'AccessPolicy/AmazonEKSViewPolicy', 'dev');
    const report = await pass();
    expect(report.errors[0]?.message).toContain('associated outside Gatehouse');
    expect((await getRequest(store, id)).state).toBe('approved');
    expect((await entries.accessEntry(aliceRole))?.policies).toEqual([
      { policyArn: viewPolicy, accessScope: { type: 'cluster' } },
    ]);
    await entries.deleteAccessEntry(aliceRole);
    await revoke(store, id, lead);
    await pass();
  });

  it('aws-auth mode: maps her role to her name and binds the role; both go when the grant ends', async () => {
    const canListPods = () =>
      aliceClient.request({ path: '/api/v1/namespaces/dev/pods' }).then(
        () => true,
        () => false,
      );
    await waitFor(canAuthenticate, false, tokenCacheWaitMs);
    const id = await request('eks-aws-auth', 'ClusterRole/view', 'dev', 600);
    const start = new Date();
    expect((await pass(start)).errors).toEqual([]);
    await waitFor(canListPods, true, 5_000);
    expect((await whoAmI(aliceClient)).username).toBe('alice');
    const denied = await aliceClient.request({ path: '/api/v1/namespaces/payments/pods' }).then(
      () => 'allowed',
      (error: { code?: string }) => error.code,
    );
    expect(denied).toBe('auth.forbidden');

    const report = await pass(new Date(start.getTime() + 601_000));
    expect(report.expired).toEqual([id]);
    expect(report.removed).toContain(`aws-auth/${aliceRole}`);
    await waitFor(canAuthenticate, false, tokenCacheWaitMs);
  });
});

describe('access reviews on EKS (moto, access entries fake)', () => {
  it('revokes an access-policy association after a dry run that changed nothing, proven gone by a fresh read of the entry', async () => {
    const entries = gatehouse.accessEntries(ref);
    const contractor = await world.createRole('contractor-review');
    await entries.createAccessEntry({ principalArn: contractor });
    await entries.associateAccessPolicy({
      principalArn: contractor,
      policyArn: viewPolicy,
      accessScope: { type: 'namespace', namespaces: ['dev'] },
    });
    // The item as a campaign over this cluster's sync holds it (src/reviews/items.ts builds it so).
    const item: ReviewItem = {
      id: 'item-contractor',
      campaignId: 'campaign-eks',
      ordinal: 0,
      subject: { kind: 'IamPrincipal', name: contractor },
      namespace: 'dev',
      grant: {
        type: 'access-policy',
        policyArn: viewPolicy,
        accessScope: { type: 'namespace', namespaces: ['dev'] },
      },
      risks: [],
      severity: undefined,
      holders: 1,
      reviewer: 'user:lead',
      reviewerRule: 'fallback',
      state: 'pending',
      notes: [],
    };
    const context = {
      store,
      cluster: ref.name,
      client: admin,
      accessEntries: entries,
      read: await readCluster(admin),
    };
    const dry = await revokeItem(item, { ...context, dryRun: true });
    expect(dry).toMatchObject({
      status: 'done',
      changes: [`would disassociate ${viewPolicy} from ${contractor}`],
    });
    expect((await entries.accessEntry(contractor))?.policies.map((policy) => policy.policyArn)).toEqual([
      viewPolicy,
    ]);
    const done = await revokeItem(item, context);
    expect(done).toMatchObject({
      status: 'done',
      changes: [`disassociate ${viewPolicy} from ${contractor}`],
      proof: { kind: 'gone', checked: [`EKS access entry of ${contractor} has ${viewPolicy}`] },
    });
    expect((await entries.accessEntry(contractor))?.policies ?? []).toEqual([]);
    // Revoking again finds nothing to change, and says so.
    expect((await revokeItem(item, context)).changes).toEqual([`${contractor} no longer has ${viewPolicy}`]);
    await entries.deleteAccessEntry(contractor);
  });
});
