import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { KubeClient, loadKubeconfig } from '../src/kube/index.js';
import { ensureApiserverFlags, restartStoppedComponents } from './apiserver-flags.js';
import { auditFlags, auditLogDir } from './audit.js';
import { ensureBinaries } from './build.js';
import { containersAlive, stopContainers } from './containers.js';
import { prepareNode } from './node.js';
import { clusterTrustsOidcCa, writeAuthenticationConfig } from './oidc/index.js';
import {
  binDir,
  cacheRoot,
  clusterDir,
  clusterName,
  kubeconfigPath,
  kwokWorkdir,
  versions,
} from './paths.js';
import { busyboxApplets, busyboxBase, file, skeleton, writeTree } from './rootfs.js';
import { elapsed, progress, run, StepError } from './run.js';
import { type Pod, provisionPods, type SeedOptions, seedCluster } from './seed/seed.js';

export interface ClusterUpResult {
  readonly kubeconfig: string;
  /** True when a healthy, seeded cluster was already running and was reused. */
  readonly reused: boolean;
  readonly seconds: number;
  /** The directory of the apiserver's audit log (`audit.log` and its rotated files). */
  readonly auditLog: string;
}

const kwokEnv = (root: string): NodeJS.ProcessEnv => ({ ...process.env, KWOK_WORKDIR: kwokWorkdir(root) });

/**
 * Builds what is missing, starts the cluster and seeds it; reuses a healthy running cluster.
 *
 * @example
 * const { kubeconfig } = await clusterUp();
 */
export async function clusterUp(root = cacheRoot()): Promise<ClusterUpResult> {
  const start = Date.now();
  const auditLog = auditLogDir(clusterDir(root));
  if (await isHealthy(root)) {
    // A cluster started before the audit log existed gets it by an apiserver restart, not afresh.
    await ensureApiserverFlags(root, auditFlags(clusterDir(root)));
    await restartStoppedComponents(root);
    return { kubeconfig: kubeconfigPath(root), reused: true, seconds: (Date.now() - start) / 1000, auditLog };
  }
  await clusterDown(root);
  const binaries = await ensureBinaries(binDir(root));
  const applets = busyboxApplets();
  const dir = clusterDir(root);
  mkdirSync(dir, { recursive: true });
  const node = prepareNode(join(dir, 'node'), binaries, applets);
  const config = join(dir, 'kwokctl.yaml');
  writeFileSync(
    config,
    toYaml({
      kind: 'KwokctlConfiguration',
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      options: {
        runtime: 'binary',
        kubeApiserverBinary: binaries['kube-apiserver'],
        kubeControllerManagerBinary: binaries['kube-controller-manager'],
        kubeSchedulerBinary: binaries['kube-scheduler'],
        etcdBinary: binaries.etcd,
        kwokControllerBinary: node.kwokWrapper,
        kubectlBinary: await which('kubectl'),
        enableCRDs: ['Exec', 'Logs'],
      },
      // EKS-style bearer tokens go to a token webhook, as on EKS; the e2e tests run the webhook.
      componentsPatches: [
        {
          name: 'kube-apiserver',
          extraArgs: [
            { key: 'authentication-token-webhook-config-file', value: writeEksWebhookConfig(dir) },
            { key: 'authentication-token-webhook-version', value: 'v1' },
            // Short, so a mapping removed from aws-auth takes effect in seconds, as JIT expiry needs.
            { key: 'authentication-token-webhook-cache-ttl', value: '1s' },
            // People's ID tokens from the test OpenID Provider (testcluster/oidc), as oidc:<sub>.
            { key: 'authentication-config', value: writeAuthenticationConfig(dir, root) },
            // Usage evidence for access reviews (src/usage) comes from this log.
            ...auditFlags(dir),
          ],
        },
      ],
    }),
  );
  progress(`starting kube-apiserver v${versions.kubernetes}, etcd v${versions.etcd}, kwok v${versions.kwok}`);
  const kwokctl = binaries.kwokctl;
  // `--kubeconfig=` keeps kwokctl away from the user's ~/.kube/config.
  await run(
    kwokctl,
    ['create', 'cluster', '--name', clusterName, '--config', config, '--wait', '3m', '--kubeconfig='],
    {
      env: kwokEnv(root),
      step: 'starting the cluster (kwokctl create cluster)',
    },
  );
  await run(kwokctl, ['scale', 'node', '--replicas', '2', '--name', clusterName], {
    env: kwokEnv(root),
    step: 'adding fake nodes (kwokctl scale node)',
  });
  progress(`control plane up in ${elapsed(start)}; seeding`);
  const harness: Harness = {
    kubeconfig: kubeconfigPath(root),
    podsDir: join(dir, 'pods'),
    applets,
    binaries,
    nsenter: node.nsenter,
    unshare: node.unshare,
    debugRoot: debugRoot(join(dir, 'debug-root'), applets),
  };
  writeFileSync(join(dir, 'harness.json'), JSON.stringify(harness));
  await seedCluster({ ...harness, client: harnessClient(harness) });
  writeFileSync(join(dir, 'seeded'), new Date().toISOString());
  progress(`cluster ready in ${elapsed(start)}`);
  return { kubeconfig: kubeconfigPath(root), reused: false, seconds: (Date.now() - start) / 1000, auditLog };
}

/** Where the API server sends EKS tokens: the aws-iam-authenticator stand-in of test/support. */
export const eksWebhookPort = 32759;

function writeEksWebhookConfig(dir: string): string {
  const path = join(dir, 'eks-token-webhook.yaml');
  writeFileSync(
    path,
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'eks-authenticator', cluster: { server: `http://127.0.0.1:${eksWebhookPort}/authenticate` } },
      ],
      users: [{ name: 'kube-apiserver', user: {} }],
      contexts: [{ name: 'webhook', context: { cluster: 'eks-authenticator', user: 'kube-apiserver' } }],
      'current-context': 'webhook',
    }),
  );
  return path;
}

/** Stops the cluster and every container process, and removes its state. */
export async function clusterDown(root = cacheRoot()): Promise<void> {
  const dir = clusterDir(root);
  stopContainers(join(dir, 'pods'));
  const kwokctl = join(binDir(root), 'kwokctl');
  if (existsSync(kwokWorkdir(root)) && existsSync(kwokctl)) {
    // kwokctl removes the cluster's context from this file; a private one keeps ~/.kube/config untouched.
    const scratch = join(dir, 'kwokctl-kubeconfig.yaml');
    writeFileSync(scratch, 'apiVersion: v1\nkind: Config\n');
    await run(kwokctl, ['delete', 'cluster', '--name', clusterName, '--kubeconfig', scratch], {
      env: kwokEnv(root),
      step: 'stopping the cluster (kwokctl delete cluster)',
    }).catch((error: unknown) => progress(`warning: ${String(error)}; killing its processes`));
  }
  killComponents(join(kwokWorkdir(root), 'clusters', clusterName, 'pids'));
  rmSync(dir, { recursive: true, force: true });
}

/** Whatever kwokctl could not stop (a failed delete, a crashed run) is killed by its pid files. */
function killComponents(pidsDir: string): void {
  if (!existsSync(pidsDir)) return;
  for (const file of readdirSync(pidsDir)) {
    const pid = Number(readFileSync(join(pidsDir, file), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already stopped.
    }
  }
}

async function isHealthy(root: string): Promise<boolean> {
  const dir = clusterDir(root);
  if (!existsSync(join(dir, 'seeded')) || !existsSync(kubeconfigPath(root))) return false;
  // A cluster started before the EKS token webhook existed is started afresh.
  if (!existsSync(join(dir, 'eks-token-webhook.yaml'))) return false;
  // Nor one that does not trust the OpenID Provider's current CA (started before it, or the CA was removed).
  if (!clusterTrustsOidcCa(dir, root)) return false;
  if (!containersAlive(join(dir, 'pods'))) return false;
  try {
    const client = new KubeClient(loadKubeconfig({ path: kubeconfigPath(root) }).config, { timeoutMs: 3000 });
    await client.requestText({ path: '/readyz' });
    return true;
  } catch {
    // Not answering: the caller tears the leftovers down and starts afresh.
    return false;
  }
}

async function which(command: string): Promise<string> {
  const found = await run('sh', ['-c', `command -v ${command}`], { step: `finding ${command}` }).catch(
    () => '',
  );
  if (!found.trim())
    throw new StepError(
      `finding ${command}: \`${command}\` is not on PATH; install it (kwokctl uses it to check readiness)`,
    );
  return found.trim();
}

/** The image of ephemeral debug containers (busybox, as `kubectl debug --image=busybox`). */
function debugRoot(root: string, applets: readonly string[]): string {
  writeTree(root, {
    ...skeleton,
    ...busyboxBase(applets),
    'etc/passwd': file('root:x:0:0:root:/root:/bin/sh\n'),
  });
  return root;
}

type Harness = Omit<SeedOptions, 'client'>;

function harnessClient(harness: Harness): KubeClient {
  return new KubeClient(loadKubeconfig({ path: harness.kubeconfig }).config, { timeoutMs: 30_000 });
}

/**
 * Puts containers behind pods created after `clusterUp` (they are Running in the API but have no
 * processes, exec or logs until then). Returns the pods provisioned.
 */
export async function attachContainers(
  namespace: string,
  labelSelector: string,
  root = cacheRoot(),
): Promise<string[]> {
  const harness = JSON.parse(readFileSync(join(clusterDir(root), 'harness.json'), 'utf8')) as Harness;
  const client = harnessClient(harness);
  for (let attempt = 0; attempt < 120; attempt++) {
    const pods = await client.request<{ items: Pod[] }>({
      path: `/api/v1/namespaces/${namespace}/pods`,
      query: { labelSelector },
    });
    if (pods.items.length > 0 && pods.items.every((pod) => pod.status?.phase === 'Running')) {
      const fresh = pods.items.filter(
        (pod) => !existsSync(join(harness.podsDir, namespace, pod.metadata.name)),
      );
      await provisionPods({ ...harness, client }, fresh);
      return fresh.map((pod) => pod.metadata.name);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new StepError(
    `attaching containers: pods ${labelSelector} in ${namespace} did not all reach Running`,
  );
}
