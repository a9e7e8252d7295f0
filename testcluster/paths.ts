import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Versions of the control plane the test cluster runs; the binary cache is keyed by them. */
export const versions = {
  kubernetes: '1.36.3',
  etcd: '3.6.10',
  kwok: '0.8.0',
} as const;

export const clusterName = 'gatehouse-test';

export const sourceDir = dirname(fileURLToPath(import.meta.url));

/** `$XDG_CACHE_HOME/gatehouse/testcluster` (default ~/.cache/…): binaries and cluster state. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATEHOUSE_TESTCLUSTER_CACHE) return env.GATEHOUSE_TESTCLUSTER_CACHE;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gatehouse', 'testcluster');
}

export function binDir(root = cacheRoot()): string {
  return join(root, `bin-k8s${versions.kubernetes}-etcd${versions.etcd}-kwok${versions.kwok}`);
}

/** Where one cluster's state lives: kwokctl's work dir, pod root filesystems, process ids. */
export function clusterDir(root = cacheRoot()): string {
  return join(root, 'clusters', clusterName);
}

export function kwokWorkdir(root = cacheRoot()): string {
  return join(clusterDir(root), 'kwok');
}

export function kubeconfigPath(root = cacheRoot()): string {
  return join(kwokWorkdir(root), 'clusters', clusterName, 'kubeconfig.yaml');
}
