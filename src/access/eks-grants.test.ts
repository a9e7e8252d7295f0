import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError } from '../errors.js';
import type { AccessEntry } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { decide } from './decisions.js';
import { saveFlows } from './flow-store.js';
import { parseFlowFile } from './flows.js';
import { reconcile } from './reconciler.js';
import { createRequest, getRequest } from './requests.js';

const principal = 'arn:aws:iam::111122223333:role/oncall-alice';
const policy = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

/** An in-memory access entries API with failures on demand (a port-level test double). */
function memoryPort() {
  const entries = new Map<string, AccessEntry>();
  const failNext = new Set<string>();
  const failAlways = new Set<string>();
  const fail = (operation: string) => {
    if (failNext.delete(operation) || failAlways.has(operation))
      throw new AppError('internal', `${operation} throttled`);
  };
  const port: EksAccessEntriesPort = {
    accessConfig: async () => ({ authenticationMode: 'API', accessEntries: [...entries.values()] }),
    accessEntry: async (arn) => entries.get(arn),
    createAccessEntry: async (entry) => {
      const created: AccessEntry = {
        principalArn: entry.principalArn,
        type: 'STANDARD',
        kubernetesGroups: [],
        policies: [],
      };
      entries.set(entry.principalArn, created);
      return created;
    },
    deleteAccessEntry: async (arn) => {
      if (!entries.delete(arn)) throw new AppError('not-found', 'no entry');
    },
    associateAccessPolicy: async ({ principalArn, policyArn, accessScope }) => {
      fail('associate');
      const entry = entries.get(principalArn);
      if (!entry) throw new AppError('not-found', 'no entry');
      const policies = [
        ...entry.policies.filter((p) => p.policyArn !== policyArn),
        { policyArn, accessScope },
      ];
      entries.set(principalArn, { ...entry, policies });
    },
    disassociateAccessPolicy: async ({ principalArn, policyArn }) => {
      fail('disassociate');
      const entry = entries.get(principalArn);
      if (entry)
        entries.set(principalArn, {
          ...entry,
          policies: entry.policies.filter((p) => p.policyArn !== policyArn),
        });
    },
  };
  return { port, entries, failNext, failAlways };
}

const flows = `kind: AccessFlow
metadata: {name: eks}
spec:
  requesters: {users: [alice]}
  namespaces: [a, b]
  roles: [{kind: AccessPolicy, name: AmazonEKSViewPolicy}, {kind: AccessPolicy, name: AmazonEKSEditPolicy}]
  approvers: {users: [lead]}
  maxDuration: 2h
  mode: access-entry
  eks: {principalArn: "arn:aws:iam::111122223333:role/oncall-{user}"}
`;

describe.each(dialects)('EKS access-entry grants on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let memory: ReturnType<typeof memoryPort>;
  const start = new Date('2026-11-22T10:00:00Z');
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const pass = (seconds: number) =>
    reconcile({
      store,
      clientFor: async () => {
        throw new Error('access-entry mode needs no Kubernetes client');
      },
      accessEntriesFor: async () => memory.port,
      now: () => at(seconds),
    });
  const grant = async (role: string, namespace: string, seconds: number) => {
    const [flow] = parseFlowFile(flows, 'flows.yaml');
    const request = await createRequest(
      store,
      person('alice'),
      {
        flow: flow!,
        cluster: 'eks/111122223333/eu-west-1/prod',
        role: { kind: 'AccessPolicy', name: role },
        namespace,
        durationSeconds: seconds,
        reason: 'incident 1',
      },
      start,
    );
    await decide(store, request.id, person('lead'), 'approve', { now: start });
    return request.id;
  };
  const policies = () => memory.entries.get(principal)?.policies;

  beforeEach(async () => {
    ({ store, cleanup } = await freshStore(dialect));
    await saveFlows(store, parseFlowFile(flows, 'flows.yaml'), 'test');
    memory = memoryPort();
  });
  afterEach(async () => cleanup());

  it('retries a narrowing that failed, instead of leaving the wider scope', async () => {
    await grant('AmazonEKSViewPolicy', 'a', 600);
    await grant('AmazonEKSViewPolicy', 'b', 60);
    await pass(0);
    expect(policies()).toEqual([
      {
        policyArn: policy('AmazonEKSViewPolicy'),
        accessScope: { type: 'namespace', namespaces: ['a', 'b'] },
      },
    ]);
    memory.failNext.add('associate');
    expect((await pass(61)).errors[0]?.message).toContain('throttled');
    expect((await pass(62)).errors).toEqual([]);
    expect(policies()).toEqual([
      { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['a'] } },
    ]);
  });

  it('does not activate a grant whose first association failed, and activates it once it holds', async () => {
    const id = await grant('AmazonEKSViewPolicy', 'a', 600);
    memory.failNext.add('associate');
    expect((await pass(0)).activated).toEqual([]);
    expect((await pass(1)).activated).toEqual([id]);
    expect(policies()).toEqual([
      { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['a'] } },
    ]);
  });

  it('reports a grant that keeps failing once per cause, and ends it after the pending time-to-live', async () => {
    const id = await grant('AmazonEKSViewPolicy', 'a', 600);
    memory.failAlways.add('associate');
    for (const second of [0, 1, 2, 3]) expect((await pass(second)).errors).toHaveLength(1);
    const failures = async () =>
      (await listAudit(store)).filter((event) => event.outcome === 'failed').map((event) => event.action);
    expect(await failures()).toEqual(['access.grant']);
    expect(await getRequest(store, id)).toMatchObject({
      state: 'approved',
      lastError: 'associate throttled',
    });
    await pass(3599);
    expect((await getRequest(store, id)).state).toBe('approved');
    await pass(3601);
    expect(await getRequest(store, id)).toMatchObject({ state: 'failed', endedAt: at(3601).toISOString() });
    expect(await failures()).toEqual(['access.grant', 'access.fail']);
    // Ended means ended: nothing is granted once the cause goes away.
    memory.failAlways.clear();
    expect((await pass(3602)).activated).toEqual([]);
    expect(policies()).toBeUndefined();
  });

  it('keeps the entry when one policy ends in the pass that adds another, and deletes it after the last', async () => {
    await grant('AmazonEKSViewPolicy', 'a', 60);
    await pass(0);
    await grant('AmazonEKSEditPolicy', 'a', 120);
    await pass(61);
    expect(policies()?.map((p) => p.policyArn)).toEqual([policy('AmazonEKSEditPolicy')]);
    await pass(62 + 120);
    expect(memory.entries.has(principal)).toBe(false);
  });

  it('deletes the entry it created when two policies end in the same pass, and one failed revocation does not stop the other', async () => {
    await grant('AmazonEKSViewPolicy', 'a', 60);
    await grant('AmazonEKSEditPolicy', 'b', 60);
    await pass(0);
    memory.failNext.add('disassociate');
    const report = await pass(61);
    expect(report.errors).toHaveLength(1);
    expect(report.removed).toHaveLength(1);
    expect((await pass(62)).errors).toEqual([]);
    expect(memory.entries.has(principal)).toBe(false);
  });
});
