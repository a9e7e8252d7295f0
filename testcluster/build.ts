import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, sourceDir, versions } from './paths.js';
import { elapsed, progress, run, StepError } from './run.js';

export const controlPlane = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export const allBinaries = [
  ...controlPlane,
  'etcd',
  'kwok',
  'kwokctl',
  'gatehouse-exec',
  'gatehouse-pod',
] as const;
export type BinaryName = (typeof allBinaries)[number];

const goEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
  GOFLAGS: '-buildvcs=false',
});

/**
 * Builds whatever binaries are missing from the versioned cache directory and returns their
 * paths. Warm: only the small pod helpers are rebuilt (Go's cache makes that about a second).
 */
export async function ensureBinaries(dir = binDir()): Promise<Record<BinaryName, string>> {
  mkdirSync(dir, { recursive: true });
  await checkGo();
  const paths = Object.fromEntries(allBinaries.map((name) => [name, join(dir, name)])) as Record<
    BinaryName,
    string
  >;
  const missing = (names: readonly BinaryName[]) => names.some((name) => !existsSync(paths[name]));
  if (missing(controlPlane)) await buildControlPlane(dir);
  if (missing(['etcd'])) await buildEtcd(dir);
  if (missing(['kwok', 'kwokctl'])) await buildKwok(dir);
  await buildPodHelpers(dir);
  return paths;
}

async function checkGo(): Promise<void> {
  const output = await run('go', ['version'], { step: 'checking Go' }).catch(() => {
    throw new StepError(
      'checking Go: the `go` command is missing. The test cluster is built from source: install Go 1.26 or newer',
    );
  });
  const match = /go(\d+)\.(\d+)/.exec(output);
  if (!match || Number(match[1]) * 100 + Number(match[2]) < 126) {
    throw new StepError(
      `checking Go: ${output.trim()} is too old; kube-apiserver ${versions.kubernetes} needs Go 1.26 or newer`,
    );
  }
}

async function timed(label: string, note: string, work: () => Promise<unknown>): Promise<void> {
  const start = Date.now();
  progress(`building ${label} (${note})`);
  const ticker = setInterval(() => progress(`  … still building ${label}, ${elapsed(start)}`), 30_000);
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  progress(`built ${label} in ${elapsed(start)}`);
}

async function buildControlPlane(dir: string): Promise<void> {
  const [major, minor] = versions.kubernetes.split('.');
  const version = 'k8s.io/component-base/version';
  const ldflags = [
    '-s -w',
    `-X ${version}.gitVersion=v${versions.kubernetes}`,
    `-X ${version}.gitMajor=${major}`,
    `-X ${version}.gitMinor=${minor}`,
    `-X ${version}.gitTreeState=clean`,
  ].join(' ');
  const staging = join(dir, '.staging-k8s');
  mkdirSync(staging, { recursive: true });
  await timed(
    `kube-apiserver, kube-controller-manager, kube-scheduler v${versions.kubernetes}`,
    'cold: 5–20 min on 2 cores',
    () =>
      run(
        'go',
        [
          'build',
          '-trimpath',
          '-tags=selinux,notest,grpcnotrace',
          `-ldflags=${ldflags}`,
          '-o',
          `${staging}/`,
          ...controlPlane.map((name) => `k8s.io/kubernetes/cmd/${name}`),
        ],
        {
          cwd: join(sourceDir, 'go', 'k8s'),
          env: goEnv(),
          step: `building the Kubernetes control plane v${versions.kubernetes}`,
        },
      ),
  );
  for (const name of controlPlane) renameSync(join(staging, name), join(dir, name));
}

async function buildEtcd(dir: string): Promise<void> {
  await timed(`etcd v${versions.etcd}`, 'cold: about 1 min', () =>
    run('go', ['build', '-trimpath', '-o', join(dir, 'etcd.tmp'), 'go.etcd.io/etcd/server/v3'], {
      cwd: join(sourceDir, 'go', 'etcd'),
      env: goEnv(),
      step: `building etcd v${versions.etcd}`,
    }),
  );
  renameSync(join(dir, 'etcd.tmp'), join(dir, 'etcd'));
}

async function buildKwok(dir: string): Promise<void> {
  const staging = join(dir, '.staging-kwok');
  await timed(`kwok and kwokctl v${versions.kwok}`, 'cold: 2–4 min', () =>
    run(
      'go',
      [
        'install',
        `sigs.k8s.io/kwok/cmd/kwok@v${versions.kwok}`,
        `sigs.k8s.io/kwok/cmd/kwokctl@v${versions.kwok}`,
      ],
      {
        env: { ...goEnv(), GOBIN: staging },
        step: `building kwok v${versions.kwok}`,
      },
    ),
  );
  for (const name of ['kwok', 'kwokctl']) renameSync(join(staging, name), join(dir, name));
}

async function buildPodHelpers(dir: string): Promise<void> {
  await run('go', ['build', '-trimpath', '-o', `${dir}/`, './cmd/gatehouse-exec', './cmd/gatehouse-pod'], {
    cwd: join(sourceDir, 'go', 'pod'),
    env: goEnv(),
    step: 'building the pod helpers (gatehouse-exec, gatehouse-pod)',
  });
}
