import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { cacheRoot } from '../../testcluster/paths.js';
import { elapsed, progress, run } from '../../testcluster/run.js';

/** The helm release built from the Go module proxy; the cache is keyed by it. */
export const helmVersion = '4.3.1';

/** The chart in this repository. */
export const chartDir = fileURLToPath(new URL('../../deploy/helm/gatehouse', import.meta.url));

/** `<testcluster cache>/bin-helm<version>`, beside the control-plane binaries. */
export function helmDir(root = cacheRoot()): string {
  return join(root, `bin-helm${helmVersion}`);
}

/**
 * The helm binary, built with `go install helm.sh/helm/v4/cmd/helm@v<version>` when it is not in
 * the cache yet (cold: a few minutes on 2 cores; warm: nothing to do).
 */
export async function ensureHelm(dir = helmDir()): Promise<string> {
  const helm = join(dir, 'helm');
  if (existsSync(helm)) return helm;
  const staging = join(dir, '.staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const start = Date.now();
  progress(`building helm v${helmVersion} from the Go module proxy (cold: a few minutes)`);
  // helm stamps only major.minor unless told the full version.
  const ldflags = `-s -w -X helm.sh/helm/v4/internal/version.version=v${helmVersion}`;
  await run('go', ['install', `-ldflags=${ldflags}`, `helm.sh/helm/v4/cmd/helm@v${helmVersion}`], {
    env: {
      ...process.env,
      GOBIN: staging,
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      GOFLAGS: '-buildvcs=false',
    },
    step: `building helm v${helmVersion}`,
  });
  renameSync(join(staging, 'helm'), helm);
  progress(`built helm v${helmVersion} in ${elapsed(start)}`);
  return helm;
}

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm with its state (config, cache, plugins) under a private directory. */
export function runHelm(helm: string, args: readonly string[], home: string, input?: string): HelmResult {
  const result = spawnSync(helm, args, {
    encoding: 'utf8',
    input,
    timeout: 120_000,
    maxBuffer: 64 << 20,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** A rendered Kubernetes object, loosely typed: tests read what they assert on. */
export interface Rendered {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The objects of a multi-document YAML stream (empty documents skipped). */
export function parseObjects(text: string): Rendered[] {
  return parseAllDocuments(text)
    .map((document) => document.toJSON() as Rendered | null)
    .filter((object): object is Rendered => object !== null && typeof object === 'object');
}
