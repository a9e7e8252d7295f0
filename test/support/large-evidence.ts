/**
 * A large, realistic evidence package (the evidence-page benchmark and tests), written through the real
 * `EvidenceWriter` (as the collector stream drives it), sealed with `sealPackage` and recorded
 * and signed as `gatehouse acquire` leaves it: a file listing of many files (three MACB events
 * each), thousands of processes, large logs of which a share of lines carry times, a shell
 * history, and one bulky collected file so verification re-hashes what a big package holds.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordSealed } from '../../src/cli/commands/evidence-anchor.js';
import {
  type CustodyRecord,
  createPackageDir,
  EvidenceWriter,
  sealPackage,
  writeManifest,
} from '../../src/forensics/index.js';
import type { Store } from '../../src/store/index.js';
import { shopCustody } from './sealed-evidence.js';

export interface LargePackageSize {
  /** Files in the listing (three timeline events each). */
  readonly files: number;
  readonly processes: number;
  /** Timestamped log lines, spread over a few log files with untimed lines between. */
  readonly logLines: number;
  /** Megabytes of one bulky collected file (no events; verification hashes it). */
  readonly bulkMb: number;
}

const start = Date.parse('2026-11-30T08:00:00Z') / 1000;

function listing(count: number): string {
  const lines: string[] = [];
  for (let at = 0; at < count; at++) {
    const time = start - 86_400 * 400 + ((at * 7919) % (86_400 * 400));
    lines.push(
      `${100 + at}|-rw-r--r--|0|0|${at % 9000}|${time + 60}|${time}|${time + 5}|./srv/data/d${at % 97}/f${at}.dat`,
    );
  }
  // Container text is hostile: a NUL and a pipe in a listed name.
  lines.push(`99|-rw-r--r--|0|0|1|${start}|${start}|${start}|./srv/odd\u0000name|with pipe`);
  return `${lines.join('\n')}\n`;
}

function processes(count: number): string {
  const blocks: string[] = [];
  for (let pid = 1; pid <= count; pid++) {
    const ppid = pid === 1 ? 0 : 1 + ((pid * 31) % Math.max(1, pid - 1));
    blocks.push(
      `@pid ${pid}\n@stat ${pid} (worker-${pid % 50}) S ${ppid} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${100 + pid * 10} 0 0\n@exe /usr/bin/worker\n@cwd /srv\n@cmdline /usr/bin/worker\u0001--id\u0001${pid}\u0001\n@status Uid:\t1000\t1000\t1000\t1000\n@fd 0 /dev/null\n@fd 1 pipe:[${pid}]\n`,
    );
  }
  return blocks.join('');
}

function logText(lines: number, file: number): string {
  const out: string[] = [];
  for (let at = 0; at < lines; at++) {
    const when = new Date((start + file * 3 + at * 2) * 1000).toISOString();
    out.push(`${when} INFO request ${at} served in ${at % 300} ms path=/api/items/${at % 1000}`);
    // Untimed continuation lines: a large log is not all events.
    if (at % 4 === 0)
      out.push(`    at handler (/srv/app/handler.js:${at % 400}:12) payload=${'x'.repeat(120)}`);
  }
  // A NUL, a spreadsheet formula, quotes and commas in a timed line.
  out.push(`${new Date(start * 1000).toISOString()} \u0000 =HYPERLINK("x"), "quoted", comma`);
  return `${out.join('\n')}\n`;
}

function writeOutput(writer: EvidenceWriter, id: string, text: string): void {
  writer.sectionStart('raw', id);
  writer.data(Buffer.from(text));
  writer.sectionEnd();
}

function writeFile(
  writer: EvidenceWriter,
  file: { path: string; artifact: string; size: number; chunks: Iterable<Buffer> },
): void {
  writer.sectionStart('tar', file.artifact);
  const { path, size } = file;
  writer.tarEntry({ path, type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: start, linkTarget: '' });
  for (const part of file.chunks) writer.tarData(part);
  writer.tarEntryEnd();
  writer.sectionEnd();
}

function* bulk(megabytes: number): Iterable<Buffer> {
  const block = Buffer.alloc(1024 * 1024);
  for (let mb = 0; mb < megabytes; mb++) {
    block.fill(mb % 251);
    yield Buffer.from(block);
  }
}

/** Writes, seals, records and signs the package; returns its id, folder and hash. */
export async function largePackage(
  store: Store,
  evidenceRoot: string,
  size: LargePackageSize,
): Promise<{ id: string; root: string; packageHash: string }> {
  const { id, root } = createPackageDir(evidenceRoot, new Date('2026-11-30T10:00:00Z'));
  writeFileSync(join(root, 'acquisition.log'), '');
  const log = (line: string) => appendFileSync(join(root, 'acquisition.log'), `${line}\n`);
  const writer = new EvidenceWriter({ root, method: 'exec', log });
  writeOutput(writer, 'fs.bodyfile', listing(size.files));
  writeOutput(writer, 'live.processes', processes(size.processes));
  writeOutput(writer, 'live.date', '2026-11-30T09:59:00Z\n86400.00 7000.00\n');
  const perLog = Math.ceil(size.logLines / 4);
  const whole = (path: string, artifact: string, bytes: Buffer) =>
    writeFile(writer, { path, artifact, size: bytes.length, chunks: [bytes] });
  for (let file = 0; file < 4; file++)
    whole(`./var/log/app/app-${file}.log`, 'files.logs', Buffer.from(logText(perLog, file)));
  const history = Array.from({ length: 200 }, (_, at) => `#${start + at * 30}\nls -la /srv/data/d${at}`);
  whole('./root/.bash_history', 'files.history', Buffer.from(`${history.join('\n')}\n`));
  const path = './srv/data/blob.bin';
  writeFile(writer, { path, artifact: 'files.data', size: size.bulkMb * 1048576, chunks: bulk(size.bulkMb) });
  writer.finish();
  writeManifest(root, writer.items);
  const custody: CustodyRecord = { ...shopCustody(id), bytesReceived: writer.bytesReceived };
  const packageHash = sealPackage(root, custody);
  const event = { actor: 'rita', action: 'forensics.acquire', target: 'shop/web-7f9c/php' };
  await recordSealed(store, event, { id, root, packageHash, custody });
  return { id, root, packageHash };
}
