import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rbacDocuments } from '../../src/cli/commands/setup.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import {
  type AgentProcess,
  isolatedNetwork,
  reachableFrom,
  serveInNamespace,
  startAgent,
} from '../support/agent-process.js';
import { cli } from '../support/cli.js';
import { apiClient, mintToken, userCan, waitFor } from '../support/jit.js';
import { kubectl, serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const namespace = `gatehouse-agent-netns-${process.pid}`;
const jitNamespace = `agent-netns-jit-${process.pid}`;
const agentUser = `system:serviceaccount:${namespace}:agent`;
const alice = 'netns-alice';
const env = { GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-agent-netns-')), KUBECONFIG: kubeconfig };

let network: ReturnType<typeof isolatedNetwork>;
let server: Awaited<ReturnType<typeof serveInNamespace>>;
let agent: AgentProcess;
let agentKubeconfig = '';
let agentToken = '';
let remote: Record<string, string> = {};
const tokens = { admin: '', alice: '', bob: '' };

/** Forensics, inventory, access and reviews exactly as `gatehouse setup rbac` prints them, under this file's names. */
function applyAgentRbac(): void {
  const rename = (name: string) => `agent-netns-${name}`;
  const documents = [
    ...rbacDocuments('forensics', agentUser),
    ...rbacDocuments('inventory', agentUser),
    ...rbacDocuments('access', agentUser, { bindable: ['edit'], credentialNamespace: 'gatehouse-access' }),
    ...rbacDocuments('reviews', agentUser, { bindable: ['edit'] }),
  ].map((document) => {
    const object = document as { metadata: { name: string }; roleRef?: { name: string } };
    return {
      ...object,
      metadata: { ...object.metadata, name: rename(object.metadata.name) },
      ...(object.roleRef ? { roleRef: { ...object.roleRef, name: rename(object.roleRef.name) } } : {}),
    };
  });
  const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: documents });
  const applied = kubectl(kubeconfig, ['apply', '-f', '-'], manifest);
  expect(applied.status, applied.stderr).toBe(0);
}

const gatehouse = (...args: string[]) => cli(['--kubeconfig', kubeconfig, ...args], remote);

async function waitOnline(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = JSON.parse(
      (await gatehouse('clusters', 'list', '--context', 'agent/netns', '-o', 'json')).stdout,
    );
    if (list.items[0]?.agent?.state === 'online') return;
    if (Date.now() > deadline) throw new Error(`agent/netns never came online:\n${server.log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  for (const name of [namespace, jitNamespace, 'gatehouse-access'])
    kubectl(kubeconfig, ['create', 'namespace', name]);
  kubectl(kubeconfig, ['-n', namespace, 'create', 'serviceaccount', 'agent']);
  applyAgentRbac();
  agentKubeconfig = tokenKubeconfig(
    admin.kubeConfig,
    await serviceAccountToken(admin, namespace, 'agent'),
    'agent-netns',
  );
  network = isolatedNetwork(process.pid);
  const created = await cli(['agents', 'create', 'netns'], env);
  expect(created.code).toBe(0);
  // The server has the admin kubeconfig too: were it able to reach the API server, it could use it.
  server = await serveInNamespace(network.name, `${network.address}:0`, env);
  tokens.admin = await mintToken(env, 'netns-admin', '--admin');
  tokens.alice = await mintToken(env, alice);
  tokens.bob = await mintToken(env, 'netns-bob');
  remote = {
    ...env,
    GATEHOUSE_SERVER: server.url,
    GATEHOUSE_TOKEN: tokens.admin,
    GATEHOUSE_OPERATOR: 'netns-responder',
  };
  agentToken = created.stdout.trim();
  agent = startAgent(['--kubeconfig', agentKubeconfig, 'agent', '--server', server.url], {
    GATEHOUSE_AGENT_TOKEN: agentToken,
  });
  await agent.connected();
  await waitOnline();
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  network?.remove();
  for (const name of [namespace, jitNamespace])
    kubectl(kubeconfig, ['delete', 'namespace', name, '--wait=false']);
  for (const capability of ['forensics', 'inventory', 'access', 'reviews'])
    kubectl(kubeconfig, ['delete', 'clusterrolebinding,clusterrole', `agent-netns-gatehouse-${capability}`]);
  kubectl(kubeconfig, [
    '-n',
    'gatehouse-access',
    'delete',
    'rolebinding,role',
    'agent-netns-gatehouse-access-credentials',
  ]);
});

describe('a server with no route to the API server, reaching the cluster only through the agent', () => {
  it('cannot open a connection to the API server from the server’s network namespace', () => {
    expect(reachableFrom(network.name, new URL(admin.server))).toBe(false);
    expect(server.url).toContain(network.address);
  });

  it('syncs RBAC and answers who-can through the agent', async () => {
    const sync = await gatehouse('--context', 'agent/netns', 'rbac', 'sync', '-o', 'json');
    expect(sync.code, sync.stderr).toBe(0);
    const whoCan = JSON.parse(
      (
        await gatehouse(
          '--context',
          'agent/netns',
          'rbac',
          'who-can',
          'get',
          'pods',
          '-n',
          'dev',
          '-o',
          'json',
        )
      ).stdout,
    ) as { grants: { subject: { name: string } }[] };
    expect(whoCan.grants.map((grant) => grant.subject.name)).toContain('alice@example.com');
  });

  it('acquires the planted pod through the agent into a package that verifies', async () => {
    const run = await gatehouse(
      '--context',
      'agent/netns',
      'acquire',
      'legacy-cart',
      '-n',
      'storefront',
      '-o',
      'json',
    );
    expect(run.code, run.stderr).toBe(0);
    const [item] = JSON.parse(run.stdout).items;
    expect((await gatehouse('evidence', 'verify', item.package)).stdout).toMatch(/^VERIFIED: \d+ files/);
    expect(JSON.parse(readFileSync(join(item.root, 'custody.json'), 'utf8')).transport).toContain(
      'agent of agent/netns',
    );
  });

  it('grants and revokes just-in-time access from inside the namespace, as SubjectAccessReview sees it', async () => {
    const api = apiClient(server.url);
    const flows = `kind: AccessFlow\nmetadata: {name: netns}\nspec:\n  requesters: {users: [${alice}]}\n  namespaces: [${jitNamespace}]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [netns-bob]}\n  maxDuration: 1h\n`;
    expect((await api(tokens.admin, 'PUT', '/v1/flows', flows)).status).toBe(200);
    const canEdit = () =>
      userCan(admin, alice, {
        namespace: jitNamespace,
        verb: 'create',
        group: 'apps',
        resource: 'deployments',
      });
    expect(await canEdit()).toBe(false);
    const requested = await api(tokens.alice, 'POST', '/v1/requests', {
      flow: 'netns',
      cluster: 'agent/netns',
      role: 'ClusterRole/edit',
      namespace: jitNamespace,
      duration: '30m',
      reason: 'incident 5150 in a private cluster',
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    const id = requested.body.request.id as string;
    const approvedAt = Date.now();
    expect((await api(tokens.bob, 'POST', `/v1/requests/${id}/approve`)).status).toBe(200);
    const grantedAt = await waitFor(canEdit, true, 10_000);
    process.stderr.write(
      `[agent-netns] grant through the agent took ${grantedAt - approvedAt} ms from approval to SubjectAccessReview\n`,
    );
    expect((await api(tokens.alice, 'POST', `/v1/requests/${id}/revoke`)).status).toBe(200);
    await waitFor(canEdit, false, 10_000);
  });

  it('revokes access through an access review, proven by SubjectAccessReview, all through the agent', async () => {
    const canDeploy = (name: string) =>
      userCan(admin, name, {
        namespace: jitNamespace,
        verb: 'create',
        group: 'apps',
        resource: 'deployments',
      });
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'netns-reviewed', namespace: jitNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: ['netns-grace', 'netns-heidi'].map((name) => ({
        kind: 'User',
        name,
        apiGroup: 'rbac.authorization.k8s.io',
      })),
    };
    const applied = kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify(binding));
    expect(applied.status, applied.stderr).toBe(0);
    expect(await canDeploy('netns-grace')).toBe(true);
    expect((await gatehouse('--context', 'agent/netns', 'rbac', 'sync')).code).toBe(0);
    const json = async (...args: string[]) => {
      const result = await gatehouse('--context', 'agent/netns', ...args, '-o', 'json');
      expect(result.code, `${args[1]}: ${result.stderr}${result.stdout}`).toBe(0);
      return JSON.parse(result.stdout);
    };
    const created = await json(
      'reviews',
      'create',
      '--name',
      'private cluster',
      '--fallback',
      'user:netns-admin',
      '--deadline',
      '14d',
      '-n',
      jitNamespace,
    );
    const shown = await json('reviews', 'show', created.id);
    const grace = shown.items.find(
      (item: { subject: { name: string } }) => item.subject.name === 'netns-grace',
    );
    const decided = await json(
      'reviews',
      'decide',
      created.id,
      grace.id,
      '--revoke',
      '--reason',
      'left the team',
    );
    expect(decided.decided[0]).toMatchObject({
      state: 'revoked',
      revocation: { status: 'done', proof: { kind: 'gone' } },
    });
    expect(await canDeploy('netns-grace')).toBe(false);
    expect(await canDeploy('netns-heidi')).toBe(true);
  });

  it('applies an expiry that fell due while the agent was away as soon as it is back', async () => {
    const api = apiClient(server.url);
    const canEdit = () =>
      userCan(admin, alice, {
        namespace: jitNamespace,
        verb: 'create',
        group: 'apps',
        resource: 'deployments',
      });
    const requested = await api(tokens.alice, 'POST', '/v1/requests', {
      flow: 'netns',
      cluster: 'agent/netns',
      role: 'ClusterRole/edit',
      namespace: jitNamespace,
      duration: '8s',
      reason: 'incident 5151: short access',
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    const id = requested.body.request.id as string;
    expect((await api(tokens.bob, 'POST', `/v1/requests/${id}/approve`)).status).toBe(200);
    await waitFor(canEdit, true, 10_000);
    const { expiresAt } = (await api(tokens.bob, 'GET', `/v1/requests/${id}`)).body.request;
    await agent.stop();
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(expiresAt) - Date.now()) + 3_000),
    );
    // Nobody could reach the cluster to remove the binding: it is still in force, and says so.
    expect(await canEdit()).toBe(true);
    agent = startAgent(['--kubeconfig', agentKubeconfig, 'agent', '--server', server.url], {
      GATEHOUSE_AGENT_TOKEN: agentToken,
    });
    await agent.connected();
    const back = Date.now();
    const removedAt = await waitFor(canEdit, false, 15_000);
    process.stderr.write(
      `[agent-netns] overdue expiry applied ${removedAt - back} ms after the agent came back\n`,
    );
    expect(removedAt - back).toBeLessThan(10_000);
  });
});
