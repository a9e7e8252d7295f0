import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as toYaml } from 'yaml';
import { type KubeClient, listAll } from '../../src/kube/index.js';
import type { BinaryName } from '../build.js';
import { containerPaths, startContainer } from '../containers.js';
import { run, StepError } from '../run.js';
import { hostilePayload } from './hostile.js';
import { expectedPodCount, profilesAnnotation, seedManifests } from './manifests.js';
import { type ContainerContext, imageFor, type ProfileName } from './profiles.js';
import { unstorableNamesPayload } from './unstorable.js';

export interface SeedOptions {
  readonly client: KubeClient;
  readonly kubeconfig: string;
  readonly podsDir: string;
  readonly applets: readonly string[];
  readonly binaries: Record<BinaryName, string>;
  readonly nsenter: string;
  readonly unshare: string;
  readonly debugRoot: string;
}

export interface Pod {
  readonly metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string> };
  readonly spec: { serviceAccountName?: string; containers: { name: string; image: string }[] };
  readonly status?: { phase?: string; containerStatuses?: Record<string, unknown>[] };
}

/** Applies the seed objects, then gives every seeded pod running containers, exec and logs. */
export async function seedCluster(options: SeedOptions): Promise<void> {
  const documents = seedManifests()
    .map((manifest) => toYaml(manifest))
    .join('---\n');
  await run('kubectl', ['--kubeconfig', options.kubeconfig, 'apply', '--server-side', '-f', '-'], {
    input: documents,
    step: 'applying the seed objects (kubectl apply)',
  });
  const pods = await waitForRunningPods(options.client);
  const caCertificate = clusterCa(options.client);
  const now = new Date();
  await Promise.all(pods.map((pod) => seedPod(options, pod, caCertificate, now)));
}

/**
 * Gives pods created after seeding (by a test or benchmark) containers behind them, as the
 * seed does for its own pods. Pods must be Running; those already provisioned are skipped.
 */
export async function provisionPods(options: SeedOptions, pods: readonly Pod[]): Promise<void> {
  const caCertificate = clusterCa(options.client);
  const now = new Date();
  await Promise.all(pods.map((pod) => seedPod(options, pod, caCertificate, now)));
}

async function waitForRunningPods(client: KubeClient): Promise<Pod[]> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const { items } = await listAll<Pod>(client, {
      path: '/api/v1/pods',
      labelSelector: 'app.kubernetes.io/part-of=gatehouse-testcluster',
    });
    const expected = expectedPodCount();
    if (items.length >= expected && items.every((pod) => pod.status?.phase === 'Running')) return items;
    await sleep(500);
  }
  throw new StepError(
    'seeding: the seeded pods did not all reach Running within 60s (is kwok running? see the kwok log in the cluster directory)',
  );
}

function clusterCa(client: KubeClient): string {
  const cluster = client.kubeConfig.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (cluster?.caFile) return readFileSync(cluster.caFile, 'utf8');
  return '';
}

async function seedPod(options: SeedOptions, pod: Pod, caCertificate: string, now: Date): Promise<void> {
  const { name, namespace } = pod.metadata;
  const profiles = parseProfiles(pod.metadata.annotations?.[profilesAnnotation] ?? '');
  const token = await podToken(options.client, pod);
  const execs: unknown[] = [];
  const logs: unknown[] = [];
  for (const container of pod.spec.containers) {
    const paths = containerPaths(options.podsDir, namespace, name, container.name);
    const context: ContainerContext = {
      namespace,
      pod: name,
      container: container.name,
      serviceAccountToken: token,
      caCertificate,
      applets: options.applets,
      appBinary: options.binaries['gatehouse-pod'],
      now,
    };
    await startContainer(paths, imageFor(profiles.get(container.name) ?? 'shell', context), now);
    const payload = hostilePayloadOf(pod);
    const hostile = payload
      ? [{ name: 'GATEHOUSE_HOSTILE_PAYLOAD', value: writeHostilePayload(paths.dir, payload) }]
      : [];
    execs.push({
      containers: [container.name],
      local: {
        envs: [
          { name: 'GATEHOUSE_CONTAINER_DIR', value: paths.dir },
          { name: 'GATEHOUSE_NSENTER', value: options.nsenter },
          ...hostile,
        ],
      },
    });
    logs.push({ containers: [container.name], logsFile: paths.log, previousLogsFile: paths.log });
  }
  // Any other container name is an ephemeral debug container; it targets the pod's first container.
  const first = pod.spec.containers[0];
  if (first) {
    execs.push({
      local: {
        envs: [
          {
            name: 'GATEHOUSE_EPHEMERAL_TARGET_DIR',
            value: containerPaths(options.podsDir, namespace, name, first.name).dir,
          },
          { name: 'GATEHOUSE_DEBUG_ROOT', value: options.debugRoot },
          { name: 'GATEHOUSE_NSENTER', value: options.nsenter },
          { name: 'GATEHOUSE_UNSHARE', value: options.unshare },
        ],
      },
    });
  }
  const kwok = `/apis/kwok.x-k8s.io/v1alpha1/namespaces/${namespace}`;
  const metadata = { name, namespace };
  await options.client.request({
    method: 'POST',
    path: `${kwok}/execs`,
    body: { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Exec', metadata, spec: { execs } },
  });
  await options.client.request({
    method: 'POST',
    path: `${kwok}/logs`,
    body: { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata, spec: { logs } },
  });
  await recordRuntimeIds(options.client, pod);
}

function parseProfiles(annotation: string): Map<string, ProfileName> {
  return new Map(
    annotation
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, ProfileName]),
  );
}

/** A bound service-account token, as the kubelet would project into the pod. */
async function podToken(client: KubeClient, pod: Pod): Promise<string> {
  const account = pod.spec.serviceAccountName ?? 'default';
  const answer = await client.request<{ status: { token: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${account}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        expirationSeconds: 86_400,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    },
  });
  return answer.status.token;
}

/**
 * kwok reports no container or image IDs; a real kubelet does, and collectors record them.
 * They are derived from the pod and image names so they are stable and unique.
 */
async function recordRuntimeIds(client: KubeClient, pod: Pod): Promise<void> {
  const statuses = (pod.status?.containerStatuses ?? []).map((status) => {
    const image = String(status.image ?? '');
    const repository = image.replace(/:[^/:]+$/, '');
    return {
      ...status,
      containerID: `containerd://${sha256(`${pod.metadata.uid}/${String(status.name)}`)}`,
      imageID: `${repository}@sha256:${sha256(image)}`,
    };
  });
  await client.request({
    method: 'PATCH',
    path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
    patchType: 'merge',
    body: { status: { containerStatuses: statuses } },
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Pods that answer the collector like a compromised container: dev/hostile, or by annotation. */
export const hostilePayloadAnnotation = 'testcluster.gatehouse.dev/hostile-payload';

function hostilePayloadOf(pod: Pod): Buffer | undefined {
  if (pod.metadata.namespace === 'dev' && pod.metadata.name === 'hostile') return hostilePayload();
  const named = pod.metadata.annotations?.[hostilePayloadAnnotation];
  if (named === 'forged-stream') return hostilePayload();
  if (named === 'unstorable-names') return unstorableNamesPayload();
  if (named !== undefined)
    throw new StepError(`pod ${pod.metadata.name}: unknown hostile payload "${named}"`);
  return undefined;
}

function writeHostilePayload(dir: string, payload: Buffer): string {
  const file = join(dir, 'hostile-payload');
  writeFileSync(file, payload);
  return file;
}
