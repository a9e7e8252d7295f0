import { AppError, isAppError, messageOf } from '../errors.js';
import type { Store } from '../store/index.js';
import { type LineOutcome, parseAuditLine } from './audit-event.js';
import { BlockSplitter } from './block-splitter.js';
import type { IngestOptions } from './ingest.js';
import type { RunStart } from './ingestion-runs.js';
import { type LogFile, readLog } from './log-files.js';
import type { BlockParser } from './parse-pool.js';
import type { Tally } from './tally.js';
import { UsageBatch } from './usage-batch.js';
import { type FileProgress, writeBatch } from './usage-store.js';

/** One file of an ingest, and what the whole ingest shares. */
export interface FileJob {
  readonly store: Store;
  readonly options: IngestOptions;
  readonly run: RunStart;
  readonly tally: Tally;
  readonly parser: BlockParser;
  readonly file: LogFile;
  readonly index: number;
  readonly files: number;
}

// Distinct rows held before a write even when the batch has fewer events (wide logs).
const maxBatchRows = 50_000;

/** Reads one file from where the store says it was left, writing a batch every so often. */
export class FileReader {
  position: FileProgress;
  moved = false;
  private saved: FileProgress | undefined;
  private batch = new UsageBatch();
  private linesSinceWrite = 0;

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
    const splitter = new BlockSplitter({ offset: this.position.bytes, linesBefore: this.position.lines });
    const target = () => ({ tally: this.job.tally, batch: this.batch });
    let bytes = this.position.bytes;
    try {
      for await (const chunk of readLog(this.job.file, this.position.bytes)) {
        const block = splitter.push(chunk, (line) => {
          this.observe({ kind: 'malformed', reason: 'line longer than 4 MiB' }, line.number);
          this.position = { bytes: line.end, lines: line.number };
        });
        if (block) {
          await this.job.parser.parse(block, this.job.file.path, target());
          this.position = { bytes: block.end, lines: block.firstLine + block.lines - 1 };
          this.linesSinceWrite += block.lines;
        }
        bytes += chunk.length;
        this.report(bytes);
        const due =
          this.linesSinceWrite >= (this.job.options.batchEvents ?? 250_000) ||
          this.batch.size >= maxBatchRows;
        if (due) await this.flush();
      }
    } finally {
      // What was read whole before a failure (a truncated gzip) still counts.
      await this.flush();
    }
    return await this.tail(splitter);
  }

  /** A last line without a newline counts if it is a whole event; else it is being written. */
  private async tail(splitter: BlockSplitter): Promise<boolean> {
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
    await this.job.parser.drain({ tally: this.job.tally, batch: this.batch });
    this.linesSinceWrite = 0;
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
