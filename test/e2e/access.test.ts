import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig, subjectCan } from '../../src/kube/index.js';
import { applyGrant, listOwnedBindings, removeOwnedBinding } from '../../src/provisioning/index.js';
import { cli } from '../support/cli.js';
import { serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const env = { GATEHOUSE_HOME: join(tmpdir(), `gatehouse-access-${process.pid}`) };
const requesterUser = 'system:serviceaccount:dev:jit-requester';
const cluster = admin.context;
let requester = '';
let approver = '';
/** Gatehouse's own kubeconfig: only what `gatehouse setup rbac access` grants. */
let reconciler = '';

const as = (config: string, ...args: string[]) => cli(['--kubeconfig', config, ...args], env);
const idOf = (stdout: string) => JSON.parse(stdout).id as string;

/** The requester asks for edit in payments through a flow; the request id. */
async function ask(flow: string, duration: string): Promise<string> {
  const args = ['--flow', flow, '--role', 'edit', '-n', 'payments', '--for', duration];
  const run = await as(
    requester,
    'access',
    'request',
    ...args,
    '--reason',
    'incident 4711',
    '--cluster',
    cluster,
    '-o',
    'json',
  );
  return idOf(run.stdout);
}

async function canEditDeployments(): Promise<boolean> {
  const spec = {
    user: requesterUser,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'],
    resourceAttributes: { namespace: 'payments', verb: 'create', group: 'apps', resource: 'deployments' },
  };
  return (await subjectCan(admin, spec)).allowed;
}

async function ensureNamespace(name: string): Promise<void> {
  await admin
    .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } })
    .catch(() => undefined);
}

beforeAll(async () => {
  for (const name of ['jit-requester', 'jit-approver', 'jit-gatehouse']) {
    await admin
      .request({
        method: 'POST',
        path: '/api/v1/namespaces/dev/serviceaccounts',
        body: { metadata: { name } },
      })
      .catch(() => undefined);
  }
  requester = tokenKubeconfig(
    admin.kubeConfig,
    await serviceAccountToken(admin, 'dev', 'jit-requester'),
    'jit-requester',
  );
  approver = tokenKubeconfig(
    admin.kubeConfig,
    await serviceAccountToken(admin, 'dev', 'jit-approver'),
    'jit-approver',
  );
  const setup = await cli([
    'setup',
    'rbac',
    'access',
    '--user',
    'system:serviceaccount:dev:jit-gatehouse',
    '--bindable',
    'edit',
    '-o',
    'json',
  ]);
  type Document = {
    kind: 'ClusterRole' | 'ClusterRoleBinding' | 'Role' | 'RoleBinding';
    metadata: { name: string; namespace?: string };
  };
  const plurals = {
    ClusterRole: 'clusterroles',
    ClusterRoleBinding: 'clusterrolebindings',
    Role: 'roles',
    RoleBinding: 'rolebindings',
  };
  for (const document of JSON.parse(setup.stdout) as Document[]) {
    const namespace = document.metadata.namespace;
    if (namespace) await ensureNamespace(namespace);
    const path = `/apis/rbac.authorization.k8s.io/v1/${namespace ? `namespaces/${namespace}/` : ''}${plurals[document.kind]}`;
    await admin
      .request({ method: 'DELETE', path: `${path}/${document.metadata.name}` })
      .catch(() => undefined);
    await admin.request({ method: 'POST', path, body: document });
  }
  reconciler = tokenKubeconfig(
    admin.kubeConfig,
    await serviceAccountToken(admin, 'dev', 'jit-gatehouse'),
    cluster,
  );
  const flow = join(tmpdir(), `gatehouse-flow-${process.pid}.yaml`);
  writeFileSync(
    flow,
    `apiVersion: gatehouse.dev/v1alpha1
kind: AccessFlow
metadata: {name: payments-oncall}
spec:
  requesters: {users: ["${requesterUser}"]}
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: ["system:serviceaccount:dev:jit-approver"], required: 1}
  maxDuration: 1h
`,
  );
  expect((await as(kubeconfig, 'access', 'flows', 'apply', '-f', flow)).code).toBe(0);
});

describe('just-in-time access against the real apiserver (checked with SubjectAccessReview)', () => {
  it('reconciles with no more than the access role printed by setup rbac (least privilege)', async () => {
    const cannot = await subjectCan(admin, {
      user: 'system:serviceaccount:dev:jit-gatehouse',
      groups: ['system:serviceaccounts', 'system:authenticated'],
      resourceAttributes: { namespace: 'payments', verb: 'create', group: 'apps', resource: 'deployments' },
    });
    expect(cannot.allowed).toBe(false);
    expect((await as(reconciler, 'access', 'reconcile')).code).toBe(0);
  });

  it('grants only after approval, refuses self-approval, keeps overlapping grants, and ends access on time', async () => {
    expect(await canEditDeployments()).toBe(false);
    const request = (duration: string) => ask('payments-oncall', duration);
    const first = await request('6s');

    const self = await as(requester, 'access', 'approve', first);
    expect(self.code).toBe(4);
    expect(self.stderr).toContain('cannot approve it');
    expect((await as(reconciler, 'access', 'reconcile')).code).toBe(0);
    expect(await canEditDeployments()).toBe(false);

    expect(JSON.parse((await as(approver, 'access', 'approve', first, '-o', 'json')).stdout).state).toBe(
      'approved',
    );
    expect(await canEditDeployments()).toBe(false);
    const granted = Date.now();
    expect((await as(reconciler, 'access', 'reconcile')).code).toBe(0);
    expect(await canEditDeployments()).toBe(true);
    const shown = JSON.parse((await as(kubeconfig, 'access', 'show', first, '-o', 'json')).stdout);
    expect(shown.state).toBe('active');
    expect(Date.parse(shown.expiresAt) - Date.parse(shown.activatedAt)).toBe(6000);
    expect(Date.parse(shown.activatedAt)).toBeGreaterThanOrEqual(granted - 1000);

    const second = await request('1h');
    await as(approver, 'access', 'approve', second);
    await as(reconciler, 'access', 'reconcile');
    await sleep(Math.max(0, granted + 6500 - Date.now()));
    const afterFirst = JSON.parse((await as(reconciler, 'access', 'reconcile', '-o', 'json')).stdout);
    expect(afterFirst.expired).toEqual([first]);
    expect(await canEditDeployments()).toBe(true);

    expect(JSON.parse((await as(requester, 'access', 'revoke', second, '-o', 'json')).stdout).state).toBe(
      'revoked',
    );
    const revokedAt = Date.now();
    await as(reconciler, 'access', 'reconcile');
    expect(await canEditDeployments()).toBe(false);
    expect(Date.now() - revokedAt).toBeLessThan(2000);
  });

  it('leaves alone the bindings of requests another Gatehouse store made', async () => {
    const grant = {
      subject: { kind: 'User' as const, name: 'carol' },
      roleRef: { kind: 'ClusterRole' as const, name: 'view' },
      namespace: 'payments',
    };
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await applyGrant(admin, grant, { requestIds: ['0f0f0f0f-other-store'], expiresAt });
    const others = async () =>
      (await listOwnedBindings(admin)).filter((binding) =>
        binding.requestIds.includes('0f0f0f0f-other-store'),
      );
    expect(await others()).toHaveLength(1);
    const pass = JSON.parse((await as(reconciler, 'access', 'reconcile', '-o', 'json')).stdout);
    expect(pass.errors).toEqual([]);
    const [kept] = await others();
    expect(kept).toBeDefined();
    await removeOwnedBinding(admin, kept!);
  });

  it('rejects an invalid flow with the field and the reason', async () => {
    const flow = join(tmpdir(), `gatehouse-bad-flow-${process.pid}.yaml`);
    writeFileSync(
      flow,
      'kind: AccessFlow\nmetadata: {name: bad}\nspec:\n  requesters: {users: [a]}\n  roles: [{kind: Role, name: x, scope: cluster}]\n  maxDuration: 1h\n  approvers: {users: [b]}\n',
    );
    const run = await as(kubeconfig, 'access', 'flows', 'apply', '-f', flow);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('flow bad: spec.roles[0].scope: a Role can only be granted in a namespace');
  });

  it('refuses requests outside the flow and keeps an audit chain that verifies', async () => {
    const outside = await as(
      requester,
      'access',
      'request',
      '--flow',
      'payments-oncall',
      '--role',
      'edit',
      '-n',
      'kube-system',
      '--for',
      '1h',
      '--reason',
      'curious',
      '--cluster',
      cluster,
    );
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('namespace kube-system is not in flow payments-oncall');
    const tooLong = await as(
      requester,
      'access',
      'request',
      '--flow',
      'payments-oncall',
      '--role',
      'edit',
      '-n',
      'payments',
      '--for',
      '2h',
      '--reason',
      'incident',
      '--cluster',
      cluster,
    );
    expect(tooLong.stderr).toContain('longer than flow payments-oncall allows');
    const events = (await cli(['audit', 'export'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).action as string);
    for (const action of [
      'access.flow-apply',
      'access.request',
      'access.approve',
      'access.grant',
      'access.expire',
      'access.revoke',
      'access.revoke-binding',
    ])
      expect(events).toContain(action);
    expect((await cli(['audit', 'verify'], env)).code).toBe(0);
  });

  it('still removes expired access when one credential namespace is beyond its rights, and says what it could not do', async () => {
    // A credential flow whose namespace `setup rbac access` never granted: listing its
    // ServiceAccounts is forbidden on every pass, which must not hold up removing bindings.
    const flow = join(tmpdir(), `gatehouse-flow-elsewhere-${process.pid}.yaml`);
    writeFileSync(
      flow,
      `kind: AccessFlow
metadata: {name: elsewhere}
spec:
  requesters: {users: ["${requesterUser}"]}
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: ["system:serviceaccount:dev:jit-approver"]}
  maxDuration: 1h
  mode: credential
  credentialNamespace: jit-not-granted
`,
    );
    expect((await as(kubeconfig, 'access', 'flows', 'apply', '-f', flow)).code).toBe(0);
    const elsewhere = await ask('elsewhere', '15m');
    const id = await ask('payments-oncall', '3s');
    await as(approver, 'access', 'approve', id);
    await as(reconciler, 'access', 'reconcile');
    expect(await canEditDeployments()).toBe(true);
    await sleep(3500);
    const pass = await as(reconciler, 'access', 'reconcile', '-o', 'json');
    expect(JSON.parse(pass.stdout).expired).toEqual([id]);
    expect(await canEditDeployments()).toBe(false);
    // The pass says what it could not do, and exits non-zero for it.
    expect(pass.code).toBe(1);
    expect(JSON.parse(pass.stdout).errors[0].message).toContain(
      'listing request ServiceAccounts in jit-not-granted',
    );
    await as(requester, 'access', 'revoke', elsewhere);
  });
});
