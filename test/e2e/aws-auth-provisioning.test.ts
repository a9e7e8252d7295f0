import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { addAwsAuthMapping, removeAwsAuthMapping } from '../../src/provisioning/index.js';
import type { Store } from '../../src/store/index.js';
import { freshStore } from '../support/stores.js';

const admin = new KubeClient(loadKubeconfig({ path: inject('kubeconfig') }).config);
const path = '/api/v1/namespaces/kube-system/configmaps/aws-auth';
type ConfigMap = {
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
};
const read = () => admin.request<ConfigMap>({ path });
let original: ConfigMap | undefined;
let store: Store;
let cleanup: () => Promise<void>;
const role = 'arn:aws:iam::111122223333:role/gatehouse-jit-oncall';

beforeAll(async () => {
  original = await read().catch(() => undefined);
  const fresh = await freshStore('sqlite');
  store = fresh.store;
  cleanup = fresh.cleanup;
});

afterAll(async () => {
  // Leave the seeded ConfigMap exactly as it was for the other files.
  const current = await read();
  if (original)
    await admin.request({
      method: 'PUT',
      path,
      body: {
        ...original,
        metadata: { ...original.metadata, resourceVersion: current.metadata.resourceVersion },
      },
    });
  await cleanup();
});

describe('aws-auth provisioning against the real apiserver', () => {
  it('adds a mapping next to the existing ones, retries on a concurrent write, keeps history, and removes only its own', async () => {
    const before = await read();
    let raced = false;
    const changed = await addAwsAuthMapping(
      admin,
      { arn: role, username: 'oncall:{{SessionName}}', groups: ['gatehouse:jit:oncall'] },
      {
        store,
        cluster: admin.context,
        reason: 'test grant',
        // A person edits aws-auth between Gatehouse's read and write: Gatehouse's write is refused (409) and redone.
        beforeWrite: async () => {
          if (raced) return;
          raced = true;
          const current = await read();
          await admin.request({
            method: 'PUT',
            path,
            body: {
              ...current,
              data: { ...current.data, mapAccounts: `${current.data?.mapAccounts ?? ''}- "777788889999"\n` },
            },
          });
        },
      },
    );
    expect(changed).toBe(true);
    const after = await read();
    const roles = parse(after.data!.mapRoles!) as { rolearn: string }[];
    const rolesBefore = parse(before.data?.mapRoles ?? '[]') as { rolearn: string }[];
    expect(roles).toEqual([
      ...rolesBefore,
      { rolearn: role, username: 'oncall:{{SessionName}}', groups: ['gatehouse:jit:oncall'] },
    ]);
    expect(after.data!.mapAccounts).toContain('777788889999');
    expect(after.data!.mapUsers).toBe(before.data?.mapUsers);
    const history = await store.db.selectFrom('aws_auth_history').selectAll().execute();
    expect(history.length).toBe(2);
    expect(JSON.parse(history[0]!.data)).toEqual(before.data ?? {});
    expect(
      await addAwsAuthMapping(
        admin,
        { arn: role, username: 'oncall:{{SessionName}}', groups: ['gatehouse:jit:oncall'] },
        { store, cluster: admin.context, reason: 'again' },
      ),
    ).toBe(false);
    expect(
      await removeAwsAuthMapping(admin, role, { store, cluster: admin.context, reason: 'test expiry' }),
    ).toBe(true);
    const removed = await read();
    expect(parse(removed.data!.mapRoles!)).toEqual(rolesBefore);
    expect(JSON.parse(removed.metadata.annotations!['gatehouse.dev/aws-auth-owned']!)).toEqual([]);
  });

  it('never edits a mapping it did not add', async () => {
    const seeded = (parse((await read()).data!.mapRoles!) as { rolearn: string }[])[0]!.rolearn;
    await expect(
      addAwsAuthMapping(
        admin,
        { arn: seeded, username: 'x', groups: ['system:masters'] },
        { store, cluster: admin.context, reason: 'test' },
      ),
    ).rejects.toThrow('Gatehouse did not add it');
    expect(await removeAwsAuthMapping(admin, seeded, { store, cluster: admin.context, reason: 'test' })).toBe(
      false,
    );
    expect((parse((await read()).data!.mapRoles!) as { rolearn: string }[])[0]!.rolearn).toBe(seeded);
  });
});
