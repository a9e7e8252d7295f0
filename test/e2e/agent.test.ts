import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rbacDocuments } from '../../src/cli/commands/setup.js';
import { loadConfig } from '../../src/config/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { type AgentProcess, startAgent, throttlingRelay } from '../support/agent-process.js';
import { cli } from '../support/cli.js';
import { kubectl, serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';
import { type ServeProcess, startServe } from '../support/serve.js';

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
// One per run: a namespace still terminating from the last run refuses new ServiceAccounts.
const namespace = `gatehouse-agent-e2e-${process.pid}`;
const agentUser = `system:serviceaccount:${namespace}:agent`;
const env = { GATEHOUSE_HOME: mkdtempSync(join(tmpdir(), 'gatehouse-agent-')), KUBECONFIG: kubeconfig };
const evidenceRoot = join(loadConfig(env).dataDir, 'evidence');

let server: ServeProcess;
let agent: AgentProcess;
let agentToken = '';
let agentKubeconfig = '';
/** The CLI as a responder signed in to the server: agent clusters go through it. */
let remote: Record<string, string> = {};

/** The agent's RBAC is exactly what `gatehouse setup rbac` prints for forensics and inventory. */
function applyAgentRbac(): void {
  const documents = ['forensics', 'inventory'].flatMap((capability) =>
    rbacDocuments(capability, agentUser).map((document) => {
      const named = document as { metadata: { name: string } };
      // Own names, so this file never rewrites the bindings another test made from the same definitions.
      return { ...named, metadata: { ...named.metadata, name: `agent-e2e-${named.metadata.name}` } };
    }),
  );
  const withRoleRefs = documents.map((document) =>
    'roleRef' in document
      ? {
          ...document,
          roleRef: {
            ...(document.roleRef as object),
            name: `agent-e2e-${(document.roleRef as { name: string }).name}`,
          },
        }
      : document,
  );
  const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: withRoleRefs });
  expect(kubectl(kubeconfig, ['apply', '-f', '-'], manifest).status).toBe(0);
}

const agentArgs = (serverUrl: string) => ['--kubeconfig', agentKubeconfig, 'agent', '--server', serverUrl];
const gatehouse = (...args: string[]) => cli(['--kubeconfig', kubeconfig, ...args], remote);

async function clusterState(): Promise<string | undefined> {
  const list = await gatehouse('clusters', 'list', '--context', 'agent/e2e', '-o', 'json');
  return JSON.parse(list.stdout).items.find(
    (item: { cluster: { name: string } }) => item.cluster.name === 'agent/e2e',
  )?.agent?.state;
}

async function waitForState(state: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await clusterState()) !== state) {
    if (Date.now() > deadline)
      throw new Error(`agent/e2e never became ${state}; server log:\n${server.log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  kubectl(kubeconfig, ['create', 'namespace', namespace]);
  kubectl(kubeconfig, ['-n', namespace, 'create', 'serviceaccount', 'agent']);
  applyAgentRbac();
  agentKubeconfig = tokenKubeconfig(
    admin.kubeConfig,
    await serviceAccountToken(admin, namespace, 'agent'),
    'agent-e2e',
  );
  const created = await cli(['agents', 'create', 'e2e'], env);
  expect(created.code).toBe(0);
  agentToken = created.stdout.trim();
  server = await startServe([], env);
  const token = (await cli(['tokens', 'create', '--user', 'e2e-responder', '--admin'], env)).stdout.trim();
  remote = {
    ...env,
    GATEHOUSE_SERVER: server.url,
    GATEHOUSE_TOKEN: token,
    GATEHOUSE_OPERATOR: 'e2e-responder',
  };
  agent = startAgent(agentArgs(server.url), { GATEHOUSE_AGENT_TOKEN: agentToken });
  await agent.connected();
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  kubectl(kubeconfig, ['delete', 'namespace', namespace, '--wait=false']);
  for (const capability of ['forensics', 'inventory'])
    kubectl(kubeconfig, ['delete', 'clusterrolebinding,clusterrole', `agent-e2e-gatehouse-${capability}`]);
});

describe('a private cluster through its in-cluster agent', () => {
  it('shows the agent cluster online in clusters list, with the version the agent reported', async () => {
    await waitForState('online');
    const list = JSON.parse(
      (await gatehouse('clusters', 'list', '--context', 'agent/e2e', '-o', 'json')).stdout,
    );
    expect(list.items).toEqual([
      expect.objectContaining({
        cluster: expect.objectContaining({ name: 'agent/e2e', provider: 'agent' }),
        reachable: true,
        version: expect.stringMatching(/^v1\./),
      }),
    ]);
    const agents = await cli(['agents', 'list'], env);
    expect(agents.stdout).toMatch(/e2e\s+agent\/e2e\s+online/);
    expect(agents.stdout).not.toContain(agentToken);
  });

  it('syncs RBAC through the agent with its ServiceAccount, and who-can answers from that sync', async () => {
    const sync = await gatehouse('--context', 'agent/e2e', 'rbac', 'sync', '-o', 'json');
    expect(sync.stderr).not.toContain('error:');
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout).status).toBe('succeeded');
    const whoCan = await gatehouse(
      '--context',
      'agent/e2e',
      'rbac',
      'who-can',
      'get',
      'pods',
      '-n',
      'dev',
      '-o',
      'json',
    );
    const answer = JSON.parse(whoCan.stdout) as {
      source: string;
      incomplete: boolean;
      grants: { subject: { name: string } }[];
    };
    expect(answer.source).toContain('agent/e2e');
    expect(answer.incomplete).toBe(false);
    const subjects = answer.grants.map((row) => row.subject.name);
    expect(subjects).toContain('alice@example.com');
    expect(subjects).toContain(agentUser);
  });

  it('acquires the planted pod with the collector streaming through the tunnel, into a package that verifies', async () => {
    const run = await gatehouse(
      '--context',
      'agent/e2e',
      'acquire',
      'legacy-cart',
      '-n',
      'storefront',
      '-o',
      'json',
    );
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    const [item] = JSON.parse(run.stdout).items;
    const verify = await gatehouse('evidence', 'verify', item.package);
    expect(verify.stdout).toMatch(/^VERIFIED: \d+ files/);
    const custody = JSON.parse(readFileSync(join(item.root, 'custody.json'), 'utf8'));
    expect(custody).toMatchObject({ method: 'exec', transport: `agent of agent/e2e through ${server.url}` });
    const indicators = JSON.parse(
      (await gatehouse('evidence', 'indicators', item.package, '-o', 'json')).stdout,
    ) as { where: string }[];
    expect(indicators.some((indicator) => indicator.where === '/dev/shm/.x/xmrig')).toBe(true);
  });

  it('seals the package as partial with the reason when the agent dies mid-acquisition, marks the cluster offline, and works again once the agent is back', async () => {
    await agent.stop();
    await waitForState('offline');
    // Through a slow link the collector's output takes seconds, so the agent dies half-way.
    const slow = await throttlingRelay(new URL(server.url), 96 * 1024);
    agent = startAgent(agentArgs(slow.url), { GATEHOUSE_AGENT_TOKEN: agentToken });
    await agent.connected();
    await waitForState('online');
    const before = new Set(existsSync(evidenceRoot) ? readdirSync(evidenceRoot) : []);
    const started = Date.now();
    const acquisition = gatehouse(
      '--context',
      'agent/e2e',
      'acquire',
      'legacy-cart',
      '-n',
      'storefront',
      '-o',
      'json',
    );
    const root = await collectorStreaming(before);
    await agent.kill9();
    const run = await acquisition;
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('disconnected');
    expect(run.stderr).toMatch(/package \S+ is sealed with what arrived/);
    const log = readFileSync(join(root, 'acquisition.log'), 'utf8');
    expect(log).toMatch(/ERROR .*the agent of cluster "agent\/e2e" disconnected/);
    const id = root.split('/').at(-1)!;
    // Sealed with what arrived and proven so: the failed audit entry of the acquisition records the
    // package hash with its id, and package.sig is written for it as for a complete package.
    const verify = await gatehouse('evidence', 'verify', id);
    const hash = /^VERIFIED: \d+ files, package hash ([0-9a-f]{64})/.exec(verify.stdout)?.[1];
    expect(hash, verify.stdout).toBeDefined();
    const events = (await cli(['audit', 'export'], env)).stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { action: string; outcome: string; details: Record<string, unknown> },
      );
    expect(events).toContainEqual(
      expect.objectContaining({
        action: 'forensics.acquire',
        outcome: 'failed',
        details: expect.objectContaining({ package: id, packageHash: hash }),
      }),
    );
    await slow.close();
    await waitForState('offline');
    const refused = await gatehouse('--context', 'agent/e2e', 'rbac', 'sync');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('cluster "agent/e2e" is offline');

    agent = startAgent(agentArgs(server.url), { GATEHOUSE_AGENT_TOKEN: agentToken });
    await agent.connected();
    await waitForState('online');
    expect((await gatehouse('--context', 'agent/e2e', 'rbac', 'sync')).code).toBe(0);
    const audit = (await cli(['audit', 'export'], env)).stdout;
    for (const action of ['agent.create', 'agent.connect', 'agent.disconnect', 'agent.relay'])
      expect(audit, action).toContain(`"${action}"`);
  });
});

/** Waits until the newest acquisition has started its collector and received some of its output. */
async function collectorStreaming(before: ReadonlySet<string>): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const fresh = (existsSync(evidenceRoot) ? readdirSync(evidenceRoot) : []).filter(
      (name) => !before.has(name),
    );
    for (const name of fresh) {
      const root = join(evidenceRoot, name);
      const logFile = join(root, 'acquisition.log');
      if (!existsSync(logFile) || !readFileSync(logFile, 'utf8').includes('COLLECTOR')) continue;
      const files = readdirSync(root, { recursive: true, encoding: 'utf8' });
      if (files.some((file) => file.startsWith('live/') || file.startsWith('files/'))) return root;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the acquisition never started streaming');
}
