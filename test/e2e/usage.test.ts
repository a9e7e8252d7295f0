import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import type { PolicyRule } from '../../src/rbac/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { smallerRole, type UsageAnswer, unusedGrants, usageOf } from '../../src/usage/index.js';
import { cli } from '../support/cli.js';
import { kubectl, serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';
import { type FreshStore, freshStore } from '../support/stores.js';

const kubeconfig = inject('kubeconfig');
const auditLog = inject('auditLog');
const namespace = `usage-e2e-${randomBytes(3).toString('hex')}`;
const user = `usage-alice-${namespace.slice(-6)}`;
const rules: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['delete'] },
];

describe('usage evidence from the test apiserver’s audit log', () => {
  const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
  let fresh: FreshStore;
  let saKubeconfig = '';
  const since = new Date(Date.now() - 60_000);

  beforeAll(async () => {
    fresh = await freshStore('sqlite');
    await admin.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: namespace } },
    });
    const inNamespace = (path: string, body: object) =>
      admin.request({ method: 'POST', path: `/api/v1/namespaces/${namespace}/${path}`, body });
    const rbac = (path: string, body: object) =>
      admin.request({
        method: 'POST',
        path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/${path}`,
        body: { apiVersion: 'rbac.authorization.k8s.io/v1', ...body },
      });
    await inNamespace('serviceaccounts', { metadata: { name: 'reader' } });
    await inNamespace('configmaps', { metadata: { name: 'settings' }, data: { mode: 'test' } });
    await rbac('roles', { kind: 'Role', metadata: { name: 'reader' }, rules });
    await rbac('rolebindings', {
      kind: 'RoleBinding',
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'ServiceAccount', name: 'reader', namespace },
        { kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' },
      ],
    });
    saKubeconfig = tokenKubeconfig(
      admin.kubeConfig,
      await serviceAccountToken(admin, namespace, 'reader'),
      'usage-reader',
    );
  });

  afterAll(async () => {
    await admin.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}` }).catch(() => undefined);
    rmSync(saKubeconfig, { force: true });
    await fresh?.cleanup();
  });

  /** Ingests until the apiserver has written the events (it writes each once the response is sent). */
  async function usageOnceLogged(
    store: Store,
    query: Parameters<typeof usageOf>[1],
    wanted: (answer: UsageAnswer) => boolean,
  ) {
    let answer: UsageAnswer = { kind: 'unknown', reason: 'not ingested yet' };
    for (let attempt = 0; attempt < 20 && !wanted(answer); attempt++) {
      const ingested = await cli(['usage', 'ingest', auditLog, '--cluster', 'gatehouse-test'], {
        GATEHOUSE_HOME: fresh.options.dataDir,
      });
      expect(ingested.code, ingested.stdout + ingested.stderr).toBe(0);
      answer = await usageOf(store, query);
      if (!wanted(answer)) await sleep(500);
    }
    return answer;
  }
  const has =
    (verb: string, resource: string, name = '') =>
    (answer: UsageAnswer) =>
      answer.kind === 'known' &&
      answer.permissions.some(
        (p) => p.verb === verb && p.resource === resource && p.namespace === namespace && p.name === name,
      );

  it('finds what a ServiceAccount and a user really did, and shows a grant never used as unused', async () => {
    expect(
      auditLog,
      'the test cluster names its audit log (GATEHOUSE_TEST_AUDIT_LOG for another cluster)',
    ).not.toBe('');
    const asSa = kubectl(saKubeconfig, ['get', 'pods', '-n', namespace]);
    expect(asSa.status, asSa.stderr).toBe(0);
    expect(kubectl(saKubeconfig, ['get', 'configmap', 'settings', '-n', namespace]).status).toBe(0);
    // Denied: it must not count as a use.
    expect(kubectl(saKubeconfig, ['get', 'secrets', '-n', namespace]).status).not.toBe(0);
    const asUser = kubectl(kubeconfig, ['--as', user, 'get', 'configmaps', '-n', namespace]);
    expect(asUser.status, asUser.stderr).toBe(0);

    const store = await openStore(fresh.options);
    try {
      const serviceAccount = { kind: 'serviceaccount', namespace, name: 'reader' } as const;
      const saUsage = await usageOnceLogged(
        store,
        { cluster: 'gatehouse-test', subject: serviceAccount, since },
        has('get', 'configmaps', 'settings'),
      );
      expect(has('list', 'pods')(saUsage)).toBe(true);
      expect(has('list', 'secrets')(saUsage)).toBe(false);
      const userUsage = await usageOnceLogged(
        store,
        { cluster: 'gatehouse-test', subject: { kind: 'user', name: user }, since },
        has('list', 'configmaps'),
      );
      // kubectl's discovery requests (/api, /apis) were impersonated too; in the namespace, one use.
      expect(
        userUsage.kind === 'known' &&
          userUsage.permissions
            .filter((p) => p.namespace === namespace)
            .map((p) => `${p.verb} ${p.resource}`),
      ).toEqual(['list configmaps']);

      const grants = unusedGrants(rules, saUsage, { namespace });
      expect(grants).toMatchObject({
        kind: 'known',
        used: [{ index: 0 }],
        unused: [{ index: 1, rule: rules[1] }],
      });
      if (saUsage.kind !== 'known') throw new Error('usage should be known');
      expect(smallerRole(rules, saUsage.permissions, { namespace })).toEqual([
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      ]);
    } finally {
      await store.close();
    }

    const shown = await cli(
      ['usage', 'show', `serviceaccount/${namespace}/reader`, '--cluster', 'gatehouse-test', '--since', '1h'],
      {
        GATEHOUSE_HOME: fresh.options.dataDir,
      },
    );
    expect(shown.stdout).toMatch(new RegExp(`get\\s+configmaps\\s+${namespace}\\s+settings`));
  });
});
