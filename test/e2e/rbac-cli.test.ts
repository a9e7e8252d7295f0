import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { cli } from '../support/cli.js';
import { serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const rbacApi = '/apis/rbac.authorization.k8s.io/v1';

async function ensure(path: string, body: object): Promise<void> {
  await admin.request({ method: 'POST', path, body }).catch((error: { code?: string }) => {
    if (error.code !== 'conflict') throw error;
  });
}

describe('gatehouse rbac against the test cluster', () => {
  it('marks a sync partial and names every list the caller may not read', async () => {
    await ensure('/api/v1/namespaces/dev/serviceaccounts', { metadata: { name: 'half-reader' } });
    await ensure(`${rbacApi}/clusterroles`, {
      metadata: { name: 'test:half-reader' },
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles', 'clusterrolebindings'],
          verbs: ['list'],
        },
      ],
    });
    await ensure(`${rbacApi}/clusterrolebindings`, {
      metadata: { name: 'test:half-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'test:half-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'half-reader', namespace: 'dev' }],
    });
    const config = tokenKubeconfig(
      admin.kubeConfig,
      await serviceAccountToken(admin, 'dev', 'half-reader'),
      'half-reader',
    );
    const env = { GATEHOUSE_HOME: join(tmpdir(), `gatehouse-partial-${process.pid}`) };
    const sync = await cli(['--kubeconfig', config, 'rbac', 'sync', '-o', 'json'], env);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout).status).toBe('partial');
    for (const resource of [
      'namespaces',
      'serviceaccounts',
      'roles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io',
    ]) {
      expect(sync.stderr).toContain(
        `warning: could not read ${resource}: forbidden: system:serviceaccount:dev:half-reader may not list`,
      );
    }
    const whoCan = await cli(
      ['--kubeconfig', config, 'rbac', 'who-can', 'get', 'pods', '-n', 'dev', '-o', 'json'],
      env,
    );
    expect(JSON.parse(whoCan.stdout).incomplete).toBe(true);
    expect(whoCan.stderr).toContain('warning: incomplete:');
  });

  it('fails a sync that can read no RBAC at all, with exit code 4 and the missing verbs', async () => {
    const config = tokenKubeconfig(
      admin.kubeConfig,
      await serviceAccountToken(admin, 'dev', 'no-exec-tester'),
      'no-rbac',
    );
    const sync = await cli(['--kubeconfig', config, 'rbac', 'sync'], {
      GATEHOUSE_HOME: join(tmpdir(), `gatehouse-norbac-${process.pid}`),
    });
    expect(sync.code).toBe(4);
    expect(sync.stderr).toContain('error: sync of no-rbac read no RBAC objects');
    expect(sync.stderr).toContain('may not list clusterrolebindings');
  });

  it('maps an IAM role session through aws-auth to its permissions', async () => {
    const env = { GATEHOUSE_HOME: join(tmpdir(), `gatehouse-iam-${process.pid}`) };
    expect((await cli(['--kubeconfig', kubeconfig, 'rbac', 'sync'], env)).code).toBe(0);
    const run = await cli(
      [
        '--kubeconfig',
        kubeconfig,
        'rbac',
        'permissions',
        'iam:arn:aws:sts::111122223333:assumed-role/payments-oncall/jane@example.com',
        '-o',
        'json',
      ],
      env,
    );
    const result = JSON.parse(run.stdout);
    expect(result.mapping).toMatchObject({
      username: 'payments-oncall:jane-example.com',
      groups: ['payments-oncall'],
      source: 'aws-auth mapRoles',
    });
    expect(
      result.entries.some(
        (entry: { namespace?: string; rule: { resources?: string[] } }) =>
          entry.namespace === 'payments' && entry.rule.resources?.includes('pods/exec'),
      ),
    ).toBe(true);
    const risks = await cli(
      ['--kubeconfig', kubeconfig, 'rbac', 'risks', '--min-severity', 'critical', '-o', 'json'],
      env,
    );
    const checks = JSON.parse(risks.stdout).findings.map(
      (finding: { check: string; subject: string }) => `${finding.check} ${finding.subject}`,
    );
    expect(checks).toContain('system-masters-mapping arn:aws:iam::111122223333:role/break-glass');
    expect(checks).toContain('cluster-admin Group platform-admins');
  });
});
