/**
 * `npm run bench:agent`: on the test cluster, the same work directly and through an in-cluster
 * agent (a separate `gatehouse agent` process dialling a `gatehouse serve` run in this process):
 * (1) request latency of a pod GET, sequential, p50/p99; (2) exec throughput of a container
 * writing BENCH_EXEC_MIB (default 64) MiB to stdout; (3) JIT grant latency, approval over the API →
 * SubjectAccessReview allows, with the reconciler reaching the cluster directly or through the
 * agent. Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequest, parseFlowFile, saveFlows } from '../src/access/index.js';
import { AgentRegistry, createAgent } from '../src/agent/index.js';
import { ClusterConnections } from '../src/clusters/index.js';
import { createToken } from '../src/identity/index.js';
import { execInContainer, KubeClient, loadKubeconfig, subjectCan } from '../src/kube/index.js';
import { startServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { startAgent } from '../test/support/agent-process.js';
import { person } from '../test/support/principals.js';
import { clusterUp } from '../testcluster/cluster.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 300);
const execMiB = Number(process.env.BENCH_EXEC_MIB ?? 64);
const grants = Number(process.env.BENCH_GRANTS ?? 20);
const kubeconfig = process.env.GATEHOUSE_TEST_KUBECONFIG ?? (await clusterUp()).kubeconfig;
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-agent-'));
const store = await openStore({ dataDir });
const registry = new AgentRegistry();
const clusters = new ClusterConnections({
  kubeconfig,
  env: process.env,
  store: async () => store,
  agents: async (cluster) => registry.transport(cluster.slice('agent/'.length)),
});
const server = await startServer({
  gatehouse: { store: async () => store, clusters },
  host: '127.0.0.1',
  port: 0,
  intervalMs: 1000,
  webhooks: [],
  log: () => undefined,
  agents: registry,
});
const { token } = await createAgent(store, { name: 'bench', actor: 'bench' });
const agent = startAgent(['--kubeconfig', kubeconfig, 'agent', '--server', server.url], {
  GATEHOUSE_AGENT_TOKEN: token,
});
await agent.connected();
const viaAgent = await clusters.client('agent/bench');
const direct = admin.context;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function latency(client: KubeClient): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let index = 0; index < requests; index++) {
    const started = performance.now();
    await client.request({ path: '/api/v1/namespaces/storefront/pods/legacy-cart' });
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function throughput(client: KubeClient): Promise<number> {
  let bytes = 0;
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const started = performance.now();
  await execInContainer(client, {
    namespace: 'storefront',
    pod: 'legacy-cart',
    container: 'php',
    command: ['sh', '-c', `head -c ${execMiB * 1024 * 1024} /dev/zero`],
    stdout,
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  if (bytes !== execMiB * 1024 * 1024) throw new Error(`exec returned ${bytes} bytes`);
  return bytes / 1024 / 1024 / ((performance.now() - started) / 1000);
}

await admin
  .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'agent-bench' } } })
  .catch(() => undefined);
const users = Array.from({ length: grants * 2 }, (_, index) => `agent-bench-${index}`);
const [flow] = parseFlowFile(
  `kind: AccessFlow\nmetadata: {name: bench}\nspec:\n  requesters: {users: [${users.join(', ')}]}\n  namespaces: [agent-bench]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [bench-approver]}\n  maxDuration: 1h\n`,
  'bench',
);
await saveFlows(store, [flow!], 'bench');
const approver = await createToken(store, { user: 'bench-approver', createdBy: 'bench' });

/** Approval over the HTTP API → the API server allows the requester, one grant at a time. */
async function grantLatency(
  cluster: string,
  people: readonly string[],
): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (const user of people) {
    const request = await createRequest(store, person(user), {
      flow: flow!,
      cluster,
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'agent-bench',
      durationSeconds: 600,
      reason: 'benchmark grant',
    });
    const started = performance.now();
    const answer = await fetch(`${server.url}/v1/requests/${request.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${approver.token}` },
    });
    if (answer.status !== 200) throw new Error(`approve: ${answer.status} ${await answer.text()}`);
    for (;;) {
      const allowed = await subjectCan(admin, {
        user,
        groups: ['system:authenticated'],
        resourceAttributes: {
          namespace: 'agent-bench',
          verb: 'create',
          group: 'apps',
          resource: 'deployments',
        },
      });
      if (allowed.allowed) break;
      await sleep(5);
    }
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const rows: string[] = [];
const ms = (value: number) => `${value.toFixed(1)} ms`;
const directLatency = await latency(admin);
const agentLatency = await latency(viaAgent);
rows.push(
  `pod GET latency (${requests} sequential): direct p50 ${ms(directLatency.p50)} p99 ${ms(directLatency.p99)}; through the agent p50 ${ms(agentLatency.p50)} p99 ${ms(agentLatency.p99)}`,
);
const directRate = await throughput(admin);
const agentRate = await throughput(viaAgent);
rows.push(
  `exec throughput (${execMiB} MiB to stdout): direct ${directRate.toFixed(1)} MiB/s; through the agent ${agentRate.toFixed(1)} MiB/s (${((agentRate / directRate) * 100).toFixed(0)}% of direct)`,
);
const directGrant = await grantLatency(direct, users.slice(0, grants));
const agentGrant = await grantLatency('agent/bench', users.slice(grants));
rows.push(
  `JIT grant latency (${grants} grants, approval → SubjectAccessReview allows): direct p50 ${ms(directGrant.p50)} p99 ${ms(directGrant.p99)}; through the agent p50 ${ms(agentGrant.p50)} p99 ${ms(agentGrant.p99)} (p99 +${ms(agentGrant.p99 - directGrant.p99)})`,
);
for (const row of rows) process.stdout.write(`${row}\n`);

await agent.stop();
await server.close();
await store.close();
await admin.request({ method: 'DELETE', path: '/api/v1/namespaces/agent-bench' }).catch(() => undefined);
rmSync(dataDir, { recursive: true, force: true });
