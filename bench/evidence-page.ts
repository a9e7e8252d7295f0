/**
 * `npm run bench:evidence-page`: the server time of the console's evidence page and its exports
 * for one large package (see `test/support/large-evidence.ts`; BENCH_FILES, BENCH_PROCESSES, BENCH_LOG_LINES,
 * BENCH_BULK_MB size it). The console runs in this process over a fresh store (SQLite, or
 * PostgreSQL with BENCH_DATABASE_URL) and is called without a socket, so each time is the
 * server's: the first view, the same view again, filtered views, the second page, the window of
 * one chart bar, and each export (time to the first byte, to the last, and the peak resident
 * memory while it streams). Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { behindTestSession } from '../test/support/console-app.js';
import { largePackage } from '../test/support/large-evidence.js';
import { unreachableClient } from '../test/support/unreachable-client.js';

const size = {
  files: Number(process.env.BENCH_FILES ?? 60_000),
  processes: Number(process.env.BENCH_PROCESSES ?? 3000),
  logLines: Number(process.env.BENCH_LOG_LINES ?? 20_000),
  bulkMb: Number(process.env.BENCH_BULK_MB ?? 256),
};
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-evidence-page-'));
const evidenceRoot = join(dataDir, 'evidence');
const store = await openStore({ dataDir, url: process.env.BENCH_DATABASE_URL });
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

const made = performance.now();
const { id } = await largePackage(store, evidenceRoot, size);
console.log(
  `package ${id}: ${size.files} listed files, ${size.processes} processes, ${size.logLines} timed log lines, ${size.bulkMb} MB bulk file; written and sealed in ${ms(performance.now() - made)}; store ${store.dialect}; load ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
const client = unreachableClient();
const app = behindTestSession({
  store,
  evidenceRoot,
  clientFor: async () => client,
});

interface Timing {
  readonly status: number;
  readonly firstByte: number;
  readonly total: number;
  readonly bytes: number;
  readonly peakRss: number;
  /** How far resident memory rose above where it stood when the request began. */
  readonly rssGrowth: number;
  readonly text: string;
}

/** One GET as rita, read to the end; resident memory is sampled at every chunk. */
async function timed(path: string, keepText = true): Promise<Timing> {
  const began = performance.now();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const response = await app.request(path, { headers: { cookie: 'test-person=rita' } });
  let firstByte = 0;
  let bytes = 0;
  const parts: Buffer[] = [];
  const reader = response.body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
    if (firstByte === 0) firstByte = performance.now() - began;
    bytes += chunk.value.length;
    if (keepText) parts.push(Buffer.from(chunk.value));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const total = performance.now() - began;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const text = Buffer.concat(parts).toString('utf8');
  return { status: response.status, firstByte, total, bytes, peakRss, rssGrowth: peakRss - startRss, text };
}

function report(label: string, timing: Timing): void {
  console.log(
    `${label.padEnd(34)} ${String(timing.status)} ${ms(timing.total).padStart(9)} (first byte ${ms(timing.firstByte)}), ${mb(timing.bytes)} body, peak RSS ${mb(timing.peakRss)} (+${mb(timing.rssGrowth)})`,
  );
}

const base = `/evidence/${id}`;
const first = await timed(base);
report('first view', first);
report('same view again', await timed(base));
report('filtered: source=processes', await timed(`${base}?source=processes`));
report('filtered: kind=Log Entry', await timed(`${base}?kind=Log+Entry`));
report('second page (page=2)', await timed(`${base}?page=2`));
const bar = /<a href="(\/evidence\/[^"]*from=[^"]+)"><title>/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
if (bar) report('one chart bar (its window)', await timed(bar));
else console.log('one chart bar: no bar link on the page');
for (const format of ['timesketch', 'csv', 'bodyfile']) {
  report(`export ${format}`, await timed(`${base}/export/${format}`, false));
}
console.log(
  `matching line of the first view: ${/[^>]*matching events[^<]*/.exec(first.text)?.[0] ?? '(none)'}`,
);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
