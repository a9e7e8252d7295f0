/**
 * `npm run bench:forensics`: on the test cluster, (1) one container from command to verified
 * package with timeline and indicators, (2) the exec channel's raw throughput against what the
 * collector achieves, (3) 20 pods acquired in parallel. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  acquireContainer,
  buildTimeline,
  defaultProfile,
  findIndicators,
  openPackage,
  type Profile,
  verifyPackage,
} from '../src/forensics/index.js';
import { execInContainer, KubeClient, loadKubeconfig } from '../src/kube/index.js';
import { mapLimit } from '../src/map-limit.js';
import { responder } from '../test/support/principals.js';
import { attachContainers, clusterUp } from '../testcluster/cluster.js';

const kubeconfig = process.env.GATEHOUSE_TEST_KUBECONFIG ?? (await clusterUp()).kubeconfig;
const client = new KubeClient(loadKubeconfig({ path: kubeconfig }).config, { timeoutMs: 120_000 });
const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-bench-evidence-'));
const base = {
  client,
  evidenceRoot,
  method: 'auto' as const,
  operator: responder('bench'),
  gatehouseVersion: 'bench',
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function oneContainer(): Promise<void> {
  const runs: { total: number; acquire: number }[] = [];
  let summary = '';
  for (let n = 0; n < 5; n++) {
    const start = Date.now();
    const acquisition = await acquireContainer({
      ...base,
      namespace: 'storefront',
      pod: 'legacy-cart',
      profile: defaultProfile,
    });
    const acquired = Date.now();
    const report = verifyPackage(acquisition.root);
    const pkg = openPackage(acquisition.root);
    const timeline = buildTimeline(pkg);
    const indicators = findIndicators(pkg);
    runs.push({ total: Date.now() - start, acquire: acquired - start });
    summary = `${acquisition.items} items, ${(acquisition.custody.bytesReceived / 1048576).toFixed(1)} MB received, verify ${report.ok ? 'ok' : 'FAILED'}, ${timeline.length} timeline events, ${indicators.length} indicators`;
  }
  console.log(
    `one container (storefront/legacy-cart), command to verified package with timeline and indicators: median ${seconds(median(runs.map((run) => run.total)))} of 5 (acquisition alone ${seconds(median(runs.map((run) => run.acquire)))}); ${summary}`,
  );
}

async function throughput(): Promise<void> {
  const target = { namespace: 'dev', pod: 'debug-shell', container: 'shell' };
  const sizeMb = 64;
  const sink = () => {
    let bytes = 0;
    return {
      stream: new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          bytes += chunk.length;
          done();
        },
      }),
      bytes: () => bytes,
    };
  };
  const quiet = sink();
  await execInContainer(client, {
    ...target,
    command: ['sh', '-c', `dd if=/dev/urandom of=/tmp/bench.bin bs=1048576 count=${sizeMb} 2>/dev/null`],
    stdout: quiet.stream,
    stderr: quiet.stream,
  });
  try {
    let start = Date.now();
    const kubectl = spawnSync(
      'kubectl',
      ['--kubeconfig', kubeconfig, 'exec', '-n', target.namespace, target.pod, '--', 'cat', '/tmp/bench.bin'],
      { maxBuffer: 1 << 30 },
    );
    const kubectlMbps = kubectl.stdout.length / 1048576 / ((Date.now() - start) / 1000);
    const raw = sink();
    start = Date.now();
    await execInContainer(client, {
      ...target,
      command: ['cat', '/tmp/bench.bin'],
      stdout: raw.stream,
      stderr: raw.stream,
    });
    const rawMbps = raw.bytes() / 1048576 / ((Date.now() - start) / 1000);
    const hex = sink();
    start = Date.now();
    await execInContainer(client, {
      ...target,
      command: ['od', '-An', '-tx1', '-v', '/tmp/bench.bin'],
      stdout: hex.stream,
      stderr: hex.stream,
    });
    const hexMbps = sizeMb / ((Date.now() - start) / 1000);
    const profile: Profile = {
      name: 'bench',
      artifacts: [
        {
          id: 'files.bench',
          description: 'the benchmark file',
          collector: 'files',
          paths: ['/tmp/bench.bin'],
          maxFileSize: 128 * 1048576,
        },
      ],
    };
    start = Date.now();
    await acquireContainer({ ...base, ...target, profile });
    const collectorMbps = sizeMb / ((Date.now() - start) / 1000);
    console.log(
      `exec channel, ${sizeMb} MB file: kubectl exec cat ${kubectlMbps.toFixed(0)} MB/s; Gatehouse exec stream (cat) ${rawMbps.toFixed(0)} MB/s; od hex framing ${hexMbps.toFixed(0)} MB/s of payload; collector (tar section, hashed and written to the package, API items included) ${collectorMbps.toFixed(0)} MB/s`,
    );
  } finally {
    await execInContainer(client, {
      ...target,
      command: ['rm', '-f', '/tmp/bench.bin'],
      stdout: quiet.stream,
      stderr: quiet.stream,
    });
  }
}

async function parallel(): Promise<void> {
  const namespace = 'bench-forensics';
  await client
    .request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: namespace } } })
    .catch(() => undefined);
  await client
    .request({
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      body: {
        metadata: { name: 'worker' },
        spec: {
          replicas: 20,
          selector: { matchLabels: { app: 'worker' } },
          template: {
            metadata: {
              labels: { app: 'worker', 'app.kubernetes.io/part-of': 'gatehouse-bench' },
              annotations: { 'testcluster.gatehouse.dev/profiles': 'worker=worker' },
            },
            spec: { containers: [{ name: 'worker', image: 'docker.io/library/python:3.12-alpine' }] },
          },
        },
      },
    })
    .catch(() => undefined);
  const pods = await attachContainers(namespace, 'app=worker');
  const podNames = (
    await client.request<{ items: { metadata: { name: string } }[] }>({
      path: `/api/v1/namespaces/${namespace}/pods`,
      query: { labelSelector: 'app=worker' },
    })
  ).items.map((pod) => pod.metadata.name);
  const start = Date.now();
  const times = await mapLimit(podNames, 20, async (pod) => {
    const began = Date.now();
    await acquireContainer({ ...base, namespace, pod, profile: defaultProfile });
    return Date.now() - began;
  });
  const wall = Date.now() - start;
  console.log(
    `${podNames.length} pods in parallel (${pods.length} provisioned now): wall ${seconds(wall)}, per pod median ${seconds(median(times))}, slowest ${seconds(Math.max(...times))}`,
  );
  await client.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}` }).catch(() => undefined);
}

try {
  await oneContainer();
  await throughput();
  await parallel();
} finally {
  rmSync(evidenceRoot, { recursive: true, force: true });
}
