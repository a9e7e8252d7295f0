import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { createRequest, parseFlowFile, revoke, saveFlows } from '../access/index.js';
import { listAudit } from '../audit/index.js';
import { addProvider, listProviders, mayList, removeProvider } from './registry.js';

const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: oncall}\nspec:\n  requesters: {users: [alice]}\n  namespaces: [payments]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [lead]}\n  autoApprove: {users: [alice]}\n  maxDuration: 2h\n',
  'test',
);
const alice = person('alice');

describe('which clusters a provider may list, from its settings alone', () => {
  it('matches kind, account or subscription or project, and region or resource group or location', () => {
    const aws = {
      kind: 'aws' as const,
      regions: ['eu-west-1'],
      roleArns: ['arn:aws:iam::111122223333:role/g'],
    };
    expect(mayList(aws, 'eks/111122223333/eu-west-1/prod')).toBe(true);
    expect(mayList(aws, 'eks/444455556666/eu-west-1/prod')).toBe(false);
    expect(mayList(aws, 'eks/111122223333/us-east-1/prod')).toBe(false);
    expect(mayList({ kind: 'aws', regions: ['eu-west-1'] }, 'eks/444455556666/eu-west-1/prod')).toBe(true);
    expect(mayList(aws, 'aks/111122223333/eu-west-1/prod')).toBe(false);
    const azure = {
      kind: 'azure' as const,
      subscriptions: ['0B1F6471-1BF0-4DDA-AEC3-CB9272F09590'],
      resourceGroup: 'rg',
    };
    expect(mayList(azure, 'aks/0b1f6471-1bf0-4dda-aec3-cb9272f09590/RG/vault')).toBe(true);
    expect(mayList(azure, 'aks/0b1f6471-1bf0-4dda-aec3-cb9272f09590/other/vault')).toBe(false);
    expect(mayList({ kind: 'gcp', projects: [] }, 'gke/acme/europe-west1/prod')).toBe(true);
    expect(
      mayList({ kind: 'gcp', projects: ['acme'], location: 'us-central1' }, 'gke/acme/europe-west1/p'),
    ).toBe(false);
  });
});

describe.each(dialects)('removing a provider on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('refuses while just-in-time access on its clusters is live, unless forced, and audits what was left', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    await saveFlows(store, [flow!], 'admin');
    const settings = { kind: 'aws' as const, regions: ['eu-west-1'] };
    await addProvider(store, { name: 'prod', settings }, 'admin');
    await addProvider(store, { name: 'other', settings: { kind: 'aws', regions: ['us-east-1'] } }, 'admin');
    const ask = () =>
      createRequest(store, alice, {
        flow: flow!,
        cluster: 'eks/111122223333/eu-west-1/prod',
        role: { kind: 'ClusterRole', name: 'edit' },
        namespace: 'payments',
        durationSeconds: 600,
        reason: 'incident 9',
      });
    const live = await ask();
    expect(live.state).toBe('approved');
    // The other account's clusters are elsewhere: it goes at once.
    await removeProvider(store, 'other', 'admin');
    const refused = await removeProvider(store, 'prod', 'admin').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'conflict' });
    expect((refused as Error).message).toContain(`requests ${live.id.slice(0, 8)}`);
    expect((refused as { fix: string }).fix).toContain('--force');
    expect((await listProviders(store)).map((entry) => entry.name)).toEqual(['prod']);
    // Revoked, the access is no longer live: removal goes through.
    await revoke(store, live.id, alice);
    await removeProvider(store, 'prod', 'admin');
    await addProvider(store, { name: 'prod', settings }, 'admin');
    const second = await ask();
    await removeProvider(store, 'prod', 'admin', { force: true });
    expect(await listProviders(store)).toEqual([]);
    const removal = (await listAudit(store))
      .filter((event) => event.action === 'clusters.provider.remove')
      .at(-1);
    expect(removal?.details).toMatchObject({ forced: true, stranded: { requests: [second.id] } });
  });

  it('refuses while an EKS access association is not yet taken back, even after its request ended', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    await addProvider(store, { name: 'prod', settings: { kind: 'aws', regions: ['eu-west-1'] } }, 'admin');
    await store.db
      .insertInto('eks_access_grants')
      .values({
        cluster: 'eks/111122223333/eu-west-1/prod',
        principal_arn: 'arn:aws:iam::111122223333:role/alice',
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
        created_entry: 1,
        scope: '{"type":"namespace","namespaces":["payments"]}',
        applied: 1,
        updated_at: new Date().toISOString(),
      })
      .execute();
    const refused = await removeProvider(store, 'prod', 'admin').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'conflict' });
    expect((refused as Error).message).toContain('eks/111122223333/eu-west-1/prod');
    expect((await listProviders(store)).map((entry) => entry.name)).toEqual(['prod']);
  });
});
