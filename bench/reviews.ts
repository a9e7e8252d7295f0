/**
 * `npm run bench:reviews`: usage evidence for a large access review. A random cluster of ~5,000
 * review items (users, groups, ServiceAccounts, IAM roles through aws-auth; BENCH_SCALE scales it)
 * and BENCH_EVENTS (default 100,000) audit events are stored in a fresh SQLite store
 * (BENCH_POSTGRES_URL: a PostgreSQL database to use instead; it must be empty). Then the usage of
 * the whole campaign and of a page of 50 items is computed item by item (before: about four
 * queries each) and at once (after: a fixed few queries), BENCH_ROUNDS times each (default 1).
 * Prints wall and CPU times, store queries and the machine's load; asserts nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { localPrincipal } from '../src/identity/index.js';
import { countsOf, saveSyncRun } from '../src/inventory/index.js';
import {
  createCampaign,
  listItems,
  type ReviewItem,
  usageFromAuditLog,
  usageOfItems,
} from '../src/reviews/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { ingestAuditLog } from '../src/usage/index.js';
import { auditLine } from '../src/usage/test-events.js';
import { reviewPopulation } from '../test/support/review-population.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const eventCount = Number(process.env.BENCH_EVENTS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const dayMs = 86_400_000;
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-reviews-'));
const store = process.env.BENCH_POSTGRES_URL
  ? await openStore({ url: process.env.BENCH_POSTGRES_URL, dataDir })
  : await openStore({ dataDir });

async function prepare(): Promise<readonly ReviewItem[]> {
  const population = reviewPopulation({
    seed: 2026,
    namespaces: Math.round(120 * scale),
    users: Math.round(800 * scale),
    groups: Math.round(60 * scale),
    accountsPerNamespace: 4,
    bindingsPerNamespace: 20,
    clusterBindings: Math.round(100 * scale),
    iamRoles: Math.round(30 * scale),
  });
  const at = new Date().toISOString();
  const read = population.read;
  await saveSyncRun(
    store,
    {
      cluster: 'bench',
      server: 'https://bench',
      startedAt: at,
      finishedAt: at,
      status: 'succeeded',
      counts: countsOf(read),
      resourceVersions: {},
      errors: [],
    },
    read,
  );
  const file = join(dataDir, 'audit.log');
  const events = population.events(eventCount, Date.now() - 120 * dayMs, Date.now() - 60_000);
  writeFileSync(file, `${events.map(auditLine).join('\n')}\n`);
  await ingestAuditLog(store, { cluster: 'bench', path: file, actor: 'bench' });
  const { campaign } = await createCampaign(
    store,
    {
      name: 'bench',
      cluster: 'bench',
      scope: {},
      reviewers: { fallback: 'user:carol' },
      deadlineAt: new Date(Date.now() + 30 * dayMs).toISOString(),
      defaultAction: 'leave',
    },
    { principal: localPrincipal({ subject: 'bench' }) },
  );
  return await listItems(store, campaign.id);
}

/** The store, with its queries counted. */
function counted(): { store: Store; queries: () => number } {
  let queries = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, queries: () => queries };
}

type Way = 'item by item' | 'at once';

/** The median of `rounds` runs: wall ms, CPU ms, queries. A fresh port each run: no warm snapshot cache. */
async function measure(way: Way, items: readonly ReviewItem[]) {
  const runs: { wall: number; cpu: number; queries: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const { store: countedStore, queries } = counted();
    const port = usageFromAuditLog(countedStore);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    if (way === 'at once') await usageOfItems(port, items);
    else for (const item of items) await port(item);
    const cpu = process.cpuUsage(cpuBefore);
    runs.push({ wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000, queries: queries() });
  }
  runs.sort((a, b) => a.wall - b.wall);
  return runs[Math.floor(runs.length / 2)]!;
}

const prepared = performance.now();
const items = await prepare();
process.stdout.write(
  `${items.length.toLocaleString('en')} review items, ${eventCount.toLocaleString('en')} audit events ingested into ${store.dialect} in ${((performance.now() - prepared) / 1000).toFixed(1)}s\n`,
);
const loadBefore = loadavg()[0] ?? 0;
for (const [what, subset] of [
  ['whole campaign', items],
  ['page of 50', items.slice(0, 50)],
] as const) {
  for (const way of ['item by item', 'at once'] as const) {
    const { wall, cpu, queries } = await measure(way, subset);
    process.stdout.write(
      `  ${what.padEnd(15)} ${way.padEnd(13)} ${wall.toFixed(0).padStart(7)} ms wall ${cpu.toFixed(0).padStart(7)} ms CPU ${queries.toLocaleString('en').padStart(7)} queries\n`,
    );
  }
}
process.stdout.write(
  `  load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after, on ${cpus().length} cores (median of ${rounds} rounds)\n`,
);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
