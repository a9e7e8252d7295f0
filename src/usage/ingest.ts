import { resolve } from 'node:path';
import { AppError, isAppError, messageOf, withContext } from '../errors.js';
import type { Store } from '../store/index.js';
import { type FileJob, FileReader } from './file-reader.js';
import {
  type FileResult,
  finishIngestion,
  type IngestResult,
  type RunStart,
  startIngestion,
} from './ingestion-runs.js';
import { fingerprintOf, type LogFile, listLogFiles } from './log-files.js';
import { type BlockParser, inlineParser, startParsePool } from './parse-pool.js';
import { Tally } from './tally.js';
import { fileProgress } from './usage-store.js';

export interface IngestOptions {
  /** The cluster the log belongs to, as Gatehouse names it (kubeconfig context or provider name). */
  readonly cluster: string;
  /** An audit log file (plain or gzip) or a directory of them (rotated files). */
  readonly path: string;
  /** Who runs the ingest, for the audit log. */
  readonly actor: string;
  /** Called as chunks are read (often): the caller throttles what it shows. */
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Lines summed in memory before a write to the store (default 250 000). */
  readonly batchEvents?: number;
  /**
   * Worker threads that parse (default, for logs of 32 MiB or more: one per core but one, at most
   * 4, and none below 3 cores); 0 parses in this thread, as do places where workers cannot start.
   */
  readonly workers?: number;
}

const parallelFromBytes = 32 << 20;

async function parserFor(files: readonly LogFile[], workers: number | undefined): Promise<BlockParser> {
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const wanted = workers ?? (bytes >= parallelFromBytes ? undefined : 0);
  if (wanted === 0) return inlineParser();
  return (await startParsePool(wanted)) ?? inlineParser();
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
  const parser = await parserFor(files, options.workers);
  try {
    for (const [index, file] of files.entries())
      results.push(
        await ingestFile({ store, options, run, tally, parser, file, index, files: files.length }),
      );
  } catch (error) {
    const failed = resultOf(run, tally, [...results], 'failed');
    await finishIngestion(store, run, failed);
    throw withContext(error, `ingesting ${source} for cluster "${options.cluster}"`);
  } finally {
    await parser.close();
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
