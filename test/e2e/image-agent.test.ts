import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dialRelay } from '../../src/agent/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { type AssembledImage, assembleImage } from '../image/assemble.js';
import { podProcess } from '../image/pod.js';
import { type Container, start } from '../image/runc.js';
import { cli } from '../support/cli.js';
import { ensureHelm } from '../support/helm.js';
import { chartFor, ofKind, render } from '../support/helm-chart.js';
import { kubectl, serviceAccountToken } from '../support/kubectl.js';
import { type ServeProcess, startServe } from '../support/serve.js';

// The chart's agent-only mode for real: its Deployment's pod run from the image under runc, with
// the ServiceAccount token, CA and namespace files a kubelet mounts, and the cluster objects the
// chart renders applied to the test cluster. The agent finds the API server the in-pod way.
const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const namespace = `gatehouse-agent-pod-${process.pid}`;
const release = 'gh-agent-pod';
const env = { GATEHOUSE_HOME: '', KUBECONFIG: kubeconfig };

let dir: string;
let image: AssembledImage;
let server: ServeProcess;
let agent: Container;
let remote: Record<string, string> = {};
let clusterObjects = '';

const gatehouse = (...args: string[]) => cli(['--kubeconfig', kubeconfig, ...args], remote);

/** The chart's objects that live in the cluster (not its pods): ServiceAccount and RBAC. */
function applyChartRbac(objects: ReturnType<typeof render>): void {
  const items = objects.filter((object) =>
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(object.kind),
  );
  clusterObjects = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const applied = kubectl(kubeconfig, ['apply', '-f', '-'], clusterObjects);
  expect(applied.stderr).toBe('');
}

const serviceAccount = () => `system:serviceaccount:${namespace}:${release}-gatehouse`;

function caCertificate(): string {
  const cluster = admin.kubeConfig.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (cluster?.caFile) return readFileSync(cluster.caFile, 'utf8');
  throw new Error('the test kubeconfig names no CA');
}

async function waitForOnline(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await gatehouse('clusters', 'list', '--context', 'agent/pod', '-o', 'json');
    const state = JSON.parse(list.stdout || '{"items":[]}').items[0]?.agent?.state;
    if (state === 'online') return;
    if (Date.now() > deadline || agent.exited())
      throw new Error(`agent/pod is ${state}; the agent pod wrote:\n${agent.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-agent-pod-'));
  env.GATEHOUSE_HOME = join(dir, 'server-home');
  image = await assembleImage(dir);
  kubectl(kubeconfig, ['create', 'namespace', namespace]);
  const objects = render(chartFor(await ensureHelm()), {
    release,
    namespace,
    set: ['server.enabled=false', 'agent.enabled=true', 'agent.serverUrl=https://gatehouse.test'],
  });
  applyChartRbac(objects);
  const [account] = ofKind(objects, 'ServiceAccount');
  const token = await serviceAccountToken(admin, namespace, account!.metadata.name);
  const created = await cli(['agents', 'create', 'pod'], env);
  expect(created.code).toBe(0);
  server = await startServe([], env);
  const admin_ = (await cli(['tokens', 'create', '--user', 'e2e-admin', '--admin'], env)).stdout.trim();
  remote = { ...env, GATEHOUSE_SERVER: server.url, GATEHOUSE_TOKEN: admin_, GATEHOUSE_OPERATOR: 'e2e-admin' };
  const spec = podProcess(objects, `${release}-gatehouse-agent`, {
    dir,
    podName: `${release}-agent-5c8d`,
    secrets: { 'gatehouse-agent-token': { token: created.stdout.trim() } },
    serviceAccount: {
      token,
      caCert: caCertificate(),
      namespace,
      apiServer: new URL(admin.server),
    },
    // The server runs on this machine's loopback over plain HTTP; the chart asks for https.
    args: (args) => args.map((arg) => (arg === 'https://gatehouse.test' ? server.url : arg)),
  });
  agent = start({ dir, id: `agent-pod-${process.pid}`, rootfs: image.rootfs.path, process: spec });
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  if (clusterObjects) kubectl(kubeconfig, ['delete', '--ignore-not-found', '-f', '-'], clusterObjects);
  kubectl(kubeconfig, ['delete', 'namespace', namespace, '--wait=false']);
  await image?.rootfs.unmount();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the chart's agent pod, run from the image with a kubelet's ServiceAccount mount", () => {
  it('finds the API server from inside the pod and brings its cluster online on the server', async () => {
    await waitForOnline();
    // The in-pod configuration: KUBERNETES_SERVICE_* and the mounted token, no kubeconfig.
    expect(agent.output()).toContain(`serving ${admin.server.replace(/\/$/, '')}`);
    expect(agent.output()).not.toContain('kubeconfig');
  });

  it('syncs RBAC through the agent pod, and who-can names the chart’s ServiceAccount among those who list pods everywhere', async () => {
    const sync = await gatehouse('--context', 'agent/pod', 'rbac', 'sync', '-o', 'json');
    expect(sync.stderr).not.toContain('error:');
    expect(JSON.parse(sync.stdout).status).toBe('succeeded');
    const whoCan = await gatehouse(
      '--context',
      'agent/pod',
      'rbac',
      'who-can',
      'list',
      'pods',
      '-A',
      '-o',
      'json',
    );
    const { grants } = JSON.parse(whoCan.stdout) as {
      grants: { subject: { kind: string; namespace?: string; name: string } }[];
    };
    expect(grants.map((grant) => grant.subject)).toContainEqual(
      expect.objectContaining({ kind: 'ServiceAccount', namespace, name: `${release}-gatehouse` }),
    );
  });

  it('acts on the cluster as the chart’s ServiceAccount, and the API server refuses it what the chart does not grant', async () => {
    const relay = await dialRelay({
      server: server.url,
      token: remote.GATEHOUSE_TOKEN!,
      cluster: 'agent/pod',
      env: {},
    });
    try {
      const review = JSON.parse(
        await relay.transport.request({
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        }),
      ) as { status: { userInfo: { username: string } } };
      expect(review.status.userInfo.username).toBe(serviceAccount());
      await expect(
        relay.transport.request({ path: '/api/v1/namespaces/kube-system/secrets' }),
      ).rejects.toMatchObject({ message: expect.stringContaining('forbidden') });
    } finally {
      relay.close();
    }
  });
});
