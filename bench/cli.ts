/**
 * `npm run bench:cli`: how fast the installed CLI (bin/gatehouse.js on the bundle in dist/) starts,
 * as a ratio to `kubectl version --client` measured in the same run, alternating, median of N.
 * Then `rbac can-i` against a stored sync of the 50,000-RoleBinding benchmark cluster, loading the
 * snapshot from the store included. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countsOf, saveSyncRun } from '../src/inventory/index.js';
import { openStore } from '../src/store/index.js';
import { writeReaderManifest } from '../test/support/reader-manifest.js';
import { sourceDir } from '../testcluster/paths.js';
import { fullScale, syntheticCluster } from './synthetic-rbac.js';

const runs = Number(process.env.BENCH_RUNS ?? 11);
const root = join(sourceDir, '..');
const bin = join(root, 'bin', 'gatehouse.js');

if (!existsSync(join(root, 'dist', 'gatehouse.mjs'))) {
  console.log('building the CLI bundle first (npm run build)');
  spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

function seconds(command: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const median = (samples: readonly number[]): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Alternates the commands run by run, so a busy moment of the machine falls on all of them. */
function race(commands: Record<string, readonly string[]>, env: NodeJS.ProcessEnv): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (const argv of Object.values(commands)) seconds(argv[0]!, argv.slice(1), env); // warm caches
  for (let run = 0; run < runs; run++) {
    for (const [name, argv] of Object.entries(commands))
      samples[name]!.push(seconds(argv[0]!, argv.slice(1), env));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

async function storeBenchmarkSync(home: string): Promise<{ user: string; namespace: string }> {
  const cluster = syntheticCluster(fullScale);
  const { snapshot } = cluster;
  const store = await openStore({ dataDir: home });
  try {
    const read = {
      namespaces: cluster.namespaces.map((name) => ({ metadata: { name } })),
      serviceAccounts: cluster.serviceAccounts.map(({ namespace, name }) => ({
        metadata: { name, namespace },
      })),
      roles: [...snapshot.roles],
      clusterRoles: [...snapshot.clusterRoles],
      roleBindings: [...snapshot.roleBindings],
      clusterRoleBindings: [...snapshot.clusterRoleBindings],
      awsAuth: undefined,
      resourceVersions: {},
      errors: [],
    };
    const now = new Date().toISOString();
    await saveSyncRun(
      store,
      {
        cluster: 'bench',
        server: 'https://bench.invalid',
        startedAt: now,
        finishedAt: now,
        status: 'succeeded',
        counts: countsOf(read),
        resourceVersions: {},
        errors: [],
      },
      read,
    );
  } finally {
    await store.close();
  }
  const binding = snapshot.roleBindings.find((item) => item.subjects?.some((s) => s.kind === 'User'));
  const user = binding?.subjects?.find((s) => s.kind === 'User')?.name ?? 'nobody';
  return { user, namespace: binding?.metadata.namespace ?? 'default' };
}

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-cli-'));
try {
  const home = join(work, 'home');
  const dir = join(work, 'manifests');
  mkdirSync(dir);
  writeReaderManifest(dir);
  const env = { ...process.env, GATEHOUSE_HOME: home, HOME: work };
  const gatehouse = (...args: string[]) => ['node', bin, ...args];
  const startup = race(
    {
      kubectl: ['kubectl', 'version', '--client'],
      version: gatehouse('--version'),
      help: gatehouse('--help'),
      canI: gatehouse('rbac', 'can-i', 'list', 'pods', '-n', 'dev', '--as', 'alice', '-f', dir),
    },
    env,
  );
  const ratio = (name: string) => (startup[name]! / startup.kubectl!).toFixed(1);
  const msOf = (value: number) => `${(value * 1000).toFixed(0)} ms`;
  console.log(`node ${process.version}; median of ${runs} alternating runs each`);
  console.log(`kubectl version --client: ${msOf(startup.kubectl!)}`);
  console.log(`gatehouse --version: ${msOf(startup.version!)} = ${ratio('version')}× kubectl (goal ≤ 3×)`);
  console.log(`gatehouse --help: ${msOf(startup.help!)} = ${ratio('help')}× kubectl (goal ≤ 3×)`);
  console.log(
    `gatehouse rbac can-i -f DIR (offline): ${msOf(startup.canI!)} = ${ratio('canI')}× kubectl (goal ≤ 3×)`,
  );

  const subject = await storeBenchmarkSync(home);
  const stored = race(
    {
      canI: gatehouse(
        '--context',
        'bench',
        'rbac',
        'can-i',
        'get',
        'pods',
        '-n',
        subject.namespace,
        '--as',
        subject.user,
      ),
    },
    env,
  );
  console.log(
    `gatehouse rbac can-i on the stored sync of ${fullScale.namespaces} namespaces, ${fullScale.roleBindings} RoleBindings (snapshot loaded from SQLite): ${msOf(stored.canI!)} (goal < 300 ms)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
