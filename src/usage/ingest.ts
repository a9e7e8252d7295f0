import { resolve } from 'node:path';
import { AppError, isAppError, messageOf, withContext } from '../errors.js';
import type { Store } from '../store/index.js';
import { type LineOutcome, parseAuditLine, type SkipReason } from './audit-event.js';
import {
  type FileResult,
  finishIngestion,
  type IngestResult,
  type MalformedLine,
  type RunStart,
  startIngestion,
} from './ingestion-runs.js';
import { type Line, LineSplitter } from './line-splitter.js';
import { fingerprintOf, type LogFile, listLogFiles, readLog } from './log-files.js';
import { UsageBatch } from './usage-batch.js';
import { type FileProgress, fileProgress, writeBatch } from './usage-store.js';

export interface IngestOptions {
  /** The cluster the log belongs to, as Gatehouse names it (kubeconfig context or provider name). */
  readonly cluster: string;
  /** An audit log file (plain or gzip) or a directory of them (rotated files). */
  readonly path: string;
  /** Who runs the ingest, for the audit log. */
  readonly actor: string;
  /** Called as chunks are read (often): the caller throttles what it shows. */
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Events summed in memory before a write to the store (default 250 000). */
  readonly batchEvents?: number;
}

export interface IngestProgress {
  readonly file: string;
  readonly fileIndex: number;
  readonly files: number;
  /** Uncompressed bytes of this file read so far, and its size on disk. */
  readonly bytes: number;
  readonly size: number;
  readonly eventsRead: number;
}

const malformedSamples = 10;
// Distinct rows held before a write even when the batch has fewer events (wide logs).
const maxBatchRows = 50_000;

/** Counts across the files of one ingest. */
class Tally {
  read = 0;
  counted = 0;
  skipped = 0;
  malformed = 0;
  readonly skippedBy: Record<SkipReason, number> = { stage: 0, denied: 0, undecided: 0 };
  readonly malformedLines: MalformedLine[] = [];
  window: { from: number; to: number } | undefined;

  observe(outcome: LineOutcome, file: string, line: number, batch: UsageBatch): void {
    this.read++;
    switch (outcome.kind) {
      case 'use':
        this.counted++;
        this.widen(outcome.use.at);
        batch.add(outcome.use);
        return;
      case 'skipped':
        this.skipped++;
        this.skippedBy[outcome.reason]++;
        this.widen(outcome.at);
        return;
      case 'malformed':
        this.malformed++;
        if (this.malformedLines.length < malformedSamples)
          this.malformedLines.push({ file, line, reason: outcome.reason });
        return;
      default: {
        const unreachable: never = outcome;
        throw new Error(`unhandled outcome ${String(unreachable)}`);
      }
    }
  }

  private widen(at: number): void {
    if (!this.window) this.window = { from: at, to: at };
    else if (at < this.window.from) this.window.from = at;
    else if (at > this.window.to) this.window.to = at;
  }

  counts() {
    return { read: this.read, counted: this.counted, skipped: this.skipped, malformed: this.malformed };
  }
}

/**
 * Reads a Kubernetes API audit log into the usage store: per subject and permission, first and
 * last use and a count. Streams (memory stays flat whatever the size), resumes each file where an
 * earlier ingest stopped (so nothing is counted twice), and reports malformed lines with their
 * line numbers. A file that cannot be read is a failed entry of the result, not an exception.
 *
 * @example
 * const result = await ingestAuditLog(store, { cluster: 'prod', path: '/var/log/kube/audit', actor: 'alice' });
 * console.log(result.events.counted, result.malformedLines);
 */
export async function ingestAuditLog(store: Store, options: IngestOptions): Promise<IngestResult> {
  checkCluster(options.cluster);
  const source = resolve(options.path);
  const files = await listLogFiles(source);
  const run = await startIngestion(store, { cluster: options.cluster, source, actor: options.actor });
  const tally = new Tally();
  const results: FileResult[] = [];
  try {
    for (const [index, file] of files.entries())
      results.push(await ingestFile({ store, options, run, tally, file, index, files: files.length }));
  } catch (error) {
    const failed = resultOf(run, tally, [...results], 'failed');
    await finishIngestion(store, run, failed);
    throw withContext(error, `ingesting ${source} for cluster "${options.cluster}"`);
  }
  const failures = results.filter((result) => result.status === 'failed').length;
  const status = failures === 0 ? 'succeeded' : failures === results.length ? 'failed' : 'partial';
  const result = resultOf(run, tally, results, status);
  await finishIngestion(store, run, result);
  return result;
}

function checkCluster(cluster: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (cluster.trim() === '' || cluster.length > 253 || /[\u0000-\u001f]/.test(cluster))
    throw new AppError('input.invalid', `"${cluster.slice(0, 40)}" is not a cluster name`, {
      fix: 'Pass --cluster NAME, the name Gatehouse knows the cluster by (see `gatehouse clusters list`)',
    });
}

function resultOf(
  run: RunStart,
  tally: Tally,
  files: FileResult[],
  status: IngestResult['status'],
): IngestResult {
  return {
    id: run.id,
    cluster: run.cluster,
    source: run.source,
    status,
    window: tally.window
      ? { from: new Date(tally.window.from).toISOString(), to: new Date(tally.window.to).toISOString() }
      : undefined,
    events: tally.counts(),
    skippedBy: { ...tally.skippedBy },
    malformedLines: [...tally.malformedLines],
    files,
    seconds: (Date.now() - run.startedAt.getTime()) / 1000,
  };
}

interface FileJob {
  readonly store: Store;
  readonly options: IngestOptions;
  readonly run: RunStart;
  readonly tally: Tally;
  readonly file: LogFile;
  readonly index: number;
  readonly files: number;
}

async function ingestFile(job: FileJob): Promise<FileResult> {
  const { file } = job;
  let fingerprint: string | undefined;
  try {
    fingerprint = await fingerprintOf(file);
  } catch (error) {
    return { path: file.path, status: 'failed', fromLine: 0, toLine: 0, error: messageOf(error) };
  }
  if (!fingerprint) return { path: file.path, status: 'empty', fromLine: 0, toLine: 0 };
  const reader = new FileReader(
    job,
    fingerprint,
    await fileProgress(job.store.db, job.run.cluster, fingerprint),
  );
  const fromLine = reader.position.lines;
  try {
    const incompleteTail = await reader.readAll();
    const status = reader.position.lines === fromLine && !reader.moved ? 'unchanged' : 'read';
    return {
      path: file.path,
      status,
      fromLine,
      toLine: reader.position.lines,
      ...(incompleteTail ? { incompleteTail } : {}),
    };
  } catch (error) {
    // Store errors are AppErrors and stop the ingest; reading errors (a truncated gzip, a file
    // removed meanwhile) and a concurrent ingest of the same file fail this file only.
    if (isAppError(error) && error.code !== 'conflict') throw error;
    return {
      path: file.path,
      status: 'failed',
      fromLine,
      toLine: reader.position.lines,
      error: messageOf(error),
    };
  }
}

/** Reads one file from where the store says it was left, writing a batch every so often. */
class FileReader {
  position: FileProgress;
  moved = false;
  private saved: FileProgress | undefined;
  private batch = new UsageBatch();

  constructor(
    private readonly job: FileJob,
    private readonly fingerprint: string,
    saved: FileProgress | undefined,
  ) {
    this.saved = saved;
    this.position = saved ?? { bytes: 0, lines: 0 };
  }

  /** Returns true when the file ends in a partial line that was left for next time. */
  async readAll(): Promise<boolean> {
    const splitter = new LineSplitter({ offset: this.position.bytes, linesBefore: this.position.lines });
    const onLine = (line: Line) => this.take(line);
    let bytes = this.position.bytes;
    try {
      for await (const chunk of readLog(this.job.file, this.position.bytes)) {
        splitter.push(chunk, onLine);
        bytes += chunk.length;
        this.report(bytes);
        if (this.batch.events >= (this.job.options.batchEvents ?? 250_000) || this.batch.size >= maxBatchRows)
          await this.flush();
      }
    } finally {
      // What was read whole before a failure (a truncated gzip) still counts.
      await this.flush();
    }
    return await this.tail(splitter);
  }

  private take(line: Line): void {
    this.position = { bytes: line.end, lines: line.number };
    if (line.kind === 'overlong') {
      this.observe({ kind: 'malformed', reason: 'line longer than 4 MiB' }, line.number);
      return;
    }
    if (line.text.trim() === '') return;
    this.observe(parseAuditLine(line.text), line.number);
  }

  /** A last line without a newline counts if it is a whole event; else it is being written. */
  private async tail(splitter: LineSplitter): Promise<boolean> {
    const rest = splitter.rest();
    if (!rest || rest.text.trim() === '') return false;
    const outcome = parseAuditLine(rest.text);
    if (outcome.kind === 'malformed') return true;
    // Numbered as the line before: the newline that may follow it later makes an empty line.
    this.position = { bytes: rest.end, lines: rest.number - 1 };
    this.observe(outcome, rest.number);
    await this.flush();
    return false;
  }

  private observe(outcome: LineOutcome, line: number): void {
    this.job.tally.observe(outcome, this.job.file.path, line, this.batch);
  }

  private async flush(): Promise<void> {
    const from = this.saved;
    if (from && from.bytes === this.position.bytes) return;
    if (!from && this.position.bytes === 0) return;
    await this.write(from);
    this.saved = this.position;
    this.moved = true;
    this.batch = new UsageBatch();
  }

  private async write(from: FileProgress | undefined): Promise<void> {
    try {
      await writeBatch(this.job.store, {
        cluster: this.job.run.cluster,
        ingestionId: this.job.run.id,
        fingerprint: this.fingerprint,
        path: this.job.file.path,
        from,
        to: this.position,
        batch: this.batch,
        counts: this.job.tally.counts(),
        window: this.job.tally.window,
      });
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new AppError(
        'store.failed',
        `writing the usage read from ${this.job.file.path}: ${messageOf(error)}`,
        {
          fix: 'Check that the store is reachable and writable, then run the ingest again: it resumes where it stopped',
          cause: error,
        },
      );
    }
  }

  private report(bytes: number): void {
    this.job.options.onProgress?.({
      file: this.job.file.path,
      fileIndex: this.job.index,
      files: this.job.files,
      bytes,
      size: this.job.file.size,
      eventsRead: this.job.tally.read,
    });
  }
}
