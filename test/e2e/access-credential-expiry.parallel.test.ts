import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { minimumCredentialGrantSeconds } from '../../src/access/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { cli } from '../support/cli.js';
import { apiClient, mintToken, waitFor } from '../support/jit.js';
import { kubectl } from '../support/kubectl.js';
import { startServe } from '../support/serve.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const env = { GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-credential-')), KUBECONFIG: kubeconfig };
const namespace = 'jit-credential';

beforeAll(async () => {
  for (const name of [namespace, 'gatehouse-access'])
    await admin
      .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } })
      .catch(() => undefined);
});

describe('credential-bound access (real apiserver, real TokenRequest)', () => {
  it(
    'is refused by the API server once the grant ends, with Gatehouse stopped',
    async () => {
      const tokens = {
        admin: await mintToken(env, 'platform-admin', '--admin'),
        carol: await mintToken(env, 'jit-credential-carol'),
        dave: await mintToken(env, 'jit-credential-dave'),
      };
      const server = await startServe([], env);
      const api = apiClient(server.url);
      await api(
        tokens.admin,
        'PUT',
        '/v1/flows',
        `kind: AccessFlow
metadata: {name: credential-expiry}
spec:
  requesters: {users: [jit-credential-carol]}
  namespaces: [${namespace}]
  roles: [{kind: ClusterRole, name: view}]
  approvers: {users: [jit-credential-dave]}
  maxDuration: 1h
  mode: credential
`,
      );
      const created = await api(tokens.carol, 'POST', '/v1/requests', {
        flow: 'credential-expiry',
        cluster: admin.context,
        role: 'view',
        namespace,
        duration: `${minimumCredentialGrantSeconds}s`,
        reason: 'check the credential dies with the grant',
      });
      const id = created.body.request.id as string;
      await api(tokens.dave, 'POST', `/v1/requests/${id}/approve`);
      await waitFor(
        async () => (await api(tokens.dave, 'GET', `/v1/requests/${id}`)).body.request.state === 'active',
        true,
        5000,
      );
      const issued = await api(tokens.carol, 'POST', `/v1/requests/${id}/credential`);
      expect(issued.status).toBe(200);
      const grantEnds = Date.parse(issued.body.grantExpiresAt);
      expect(Date.parse(issued.body.refusedAfter)).toBeLessThanOrEqual(grantEnds);
      const file = join(env.GATEHOUSE_HOME, 'carol.kubeconfig');
      writeFileSync(file, issued.body.kubeconfig, { mode: 0o600 });
      // Gatehouse goes away for good: nothing of it runs at expiry.
      await server.kill9();
      expect(kubectl(file, ['get', 'configmaps', '-n', namespace]).status).toBe(0);
      await sleep(Math.max(0, grantEnds - Date.now() - 15_000));
      expect(kubectl(file, ['get', 'configmaps', '-n', namespace]).status).toBe(0);
      await sleep(Math.max(0, grantEnds - Date.now()));
      const refused = kubectl(file, ['get', 'configmaps', '-n', namespace]);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/Unauthorized|must be logged in/);
      // The binding is still there: the cluster refused the token on its own.
      const bindings = kubectl(kubeconfig, [
        'get',
        'rolebindings',
        '-n',
        namespace,
        '-l',
        'app.kubernetes.io/managed-by=gatehouse',
        '-o',
        'name',
      ]);
      expect(bindings.stdout.trim()).not.toBe('');
      // A later pass expires the request and cleans up.
      const reconcile = await cli(['--kubeconfig', kubeconfig, 'access', 'reconcile', '-o', 'json'], env);
      expect(JSON.parse(reconcile.stdout).expired).toEqual([id]);
    },
    (minimumCredentialGrantSeconds + 120) * 1000,
  );
});
