/**
 * `npm run bench:usage`: writes BENCH_EVENTS (default 1,000,000) realistic audit events, as
 * kube-apiserver writes them at Metadata level (users, groups, ServiceAccounts, EKS IAM roles,
 * verbs, resources and namespaces of a busy cluster, a few denied and non-final stages), to a
 * temp file, then ingests them into a fresh SQLite store (BENCH_POSTGRES_URL: PostgreSQL). Prints
 * events/s, seconds, CPU seconds, peak RSS and the machine's load. Goal: 1 million events in under
 * 20 s. BENCH_WORKERS: parsing threads (0: in the ingest's thread; default: see IngestOptions.workers).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { ingestAuditLog, usageOf } from '../src/usage/index.js';
import { auditLine, type EventShape } from '../src/usage/test-events.js';

const total = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dir = process.argv[2] === 'ingest' ? '' : mkdtempSync(join(tmpdir(), 'gatehouse-bench-usage-'));
const file = join(dir, 'audit.log');

/** A small deterministic generator, so runs are comparable. */
let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const namespaces = Array.from({ length: 40 }, (_, index) => `team-${index}`);
const people = Array.from({ length: 150 }, (_, index) => `user-${index}@example.com`);
const teams = Array.from({ length: 12 }, (_, index) => `oidc:team-${index}`);
const accounts = namespaces.flatMap((namespace) =>
  ['default', 'deployer', 'app'].map((name) => ({ namespace, name })),
);
const roles = Array.from(
  { length: 8 },
  (_, index) => `arn:aws:sts::111122223333:assumed-role/Role${index}/session`,
);
const resources: readonly (readonly [string, string, string?])[] = [
  ['', 'pods'],
  ['', 'pods', 'log'],
  ['', 'pods', 'exec'],
  ['', 'configmaps'],
  ['', 'secrets'],
  ['', 'services'],
  ['', 'events'],
  ['apps', 'deployments'],
  ['apps', 'replicasets'],
  ['apps', 'statefulsets'],
  ['batch', 'jobs'],
  ['networking.k8s.io', 'ingresses'],
  ['coordination.k8s.io', 'leases'],
  ['rbac.authorization.k8s.io', 'rolebindings'],
];
const verbs = ['get', 'get', 'get', 'list', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

function shape(index: number): EventShape {
  const at = new Date(Date.UTC(2026, 10, 1) + index * 2_000).toISOString();
  const [apiGroup, resource, subresource] = pick(resources);
  const verb = subresource === 'exec' ? 'create' : pick(verbs);
  const named = verb !== 'list' && verb !== 'watch' && verb !== 'create';
  const kind = random();
  const who: Pick<EventShape, 'user' | 'groups' | 'extra'> =
    kind < 0.5
      ? (() => {
          const account = pick(accounts);
          return {
            user: `system:serviceaccount:${account.namespace}:${account.name}`,
            groups: [
              'system:serviceaccounts',
              `system:serviceaccounts:${account.namespace}`,
              'system:authenticated',
            ],
          };
        })()
      : kind < 0.9
        ? { user: `oidc:${pick(people)}`, groups: [pick(teams), 'system:authenticated'] }
        : (() => {
            const arn = pick(roles);
            return { user: arn, groups: ['eks:deployers', 'system:authenticated'], extra: { arn: [arn] } };
          })();
  return {
    ...who,
    verb,
    apiGroup,
    resource,
    ...(subresource ? { subresource } : {}),
    namespace: pick(namespaces),
    ...(named || subresource ? { name: `${resource}-${Math.floor(random() * 50)}` } : {}),
    at,
    ...(random() < 0.03 ? { decision: 'forbid' as const, code: 403 } : {}),
    ...(random() < 0.02 ? { stage: 'ResponseStarted' } : {}),
  };
}

async function generate(): Promise<void> {
  const out = createWriteStream(file);
  let buffer = '';
  for (let index = 0; index < total; index++) {
    buffer += `${auditLine(shape(index))}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** In its own process, so its peak RSS (the kernel's high-water mark) is the ingest's alone. */
async function ingestAndMeasure(path: string, dataDir: string): Promise<void> {
  const store = process.env.BENCH_POSTGRES_URL
    ? await openStore({ url: process.env.BENCH_POSTGRES_URL, dataDir })
    : await openStore({ dataDir });
  const rssBefore = process.memoryUsage.rss();
  const rssByTenth: number[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const workers = process.env.BENCH_WORKERS === undefined ? undefined : Number(process.env.BENCH_WORKERS);
  const result = await ingestAuditLog(store, {
    cluster: 'bench',
    path,
    actor: 'bench',
    ...(workers === undefined ? {} : { workers }),
    // RSS at each tenth of the file: flat memory means these do not grow with what was read.
    onProgress: ({ bytes, size }) => {
      const tenth = Math.floor((bytes / size) * 10);
      if (tenth > rssByTenth.length) rssByTenth.push(Math.round(process.memoryUsage.rss() / 1048576));
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const rows = await store.db
    .selectFrom('usage_permissions')
    .select((eb) => eb.fn.countAll().as('rows'))
    .executeTakeFirstOrThrow();
  const sample = await usageOf(store, {
    cluster: 'bench',
    subject: { kind: 'group', name: 'system:authenticated' },
    since: new Date(Date.UTC(2026, 9, 1)),
    until: new Date(Date.UTC(2027, 0, 1)),
  });
  const events = result.events;
  process.stdout.write(
    [
      `ingested ${events.read.toLocaleString('en')} events (${events.counted.toLocaleString('en')} uses, ${events.skipped.toLocaleString('en')} skipped, ${events.malformed} malformed) into ${store.dialect}`,
      `  ${seconds.toFixed(2)}s, ${Math.round(events.read / seconds).toLocaleString('en')} events/s (goal: 1,000,000 in under 20 s)`,
      `  ${cpuSeconds.toFixed(2)}s of CPU (${Math.round(events.read / cpuSeconds).toLocaleString('en')} events per CPU-second: what an unloaded core would do)`,
      `  peak RSS ${mb(peakRss)} (${mb(rssBefore)} with the store open, before reading); RSS at each tenth read: ${rssByTenth.join(', ')} MB`,
      `  ${Number(rows.rows).toLocaleString('en')} usage rows; usage of group system:authenticated: ${sample.kind === 'known' ? sample.permissions.length : sample.reason} permissions`,
      `  load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after, on ${cpus().length} cores`,
      '',
    ].join('\n'),
  );
  await store.close();
}

if (process.argv[2] === 'ingest') {
  await ingestAndMeasure(process.argv[3] as string, process.argv[4] as string);
} else {
  const generatedAt = Date.now();
  await generate();
  process.stdout.write(
    `generated ${total.toLocaleString('en')} events (${mb(statSync(file).size)}) in ${((Date.now() - generatedAt) / 1000).toFixed(1)}s\n`,
  );
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, 'ingest', file, dir],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = code ?? 1;
}
