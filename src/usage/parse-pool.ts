import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { Block } from './block-splitter.js';
import { type BlockTarget, parseBlock } from './parse-block.js';
import { Tally, type TallyState } from './tally.js';
import { type BatchState, UsageBatch } from './usage-batch.js';

type ToWorker =
  | { readonly kind: 'block'; readonly bytes: Uint8Array; readonly firstLine: number; readonly file: string }
  | { readonly kind: 'drain' };

type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done' }
  | { readonly kind: 'drained'; readonly tally: TallyState; readonly batch: BatchState };

/** Where blocks of lines are parsed: here, or spread over worker threads. */
export interface BlockParser {
  /**
   * Parses into `target` now, or accepts the block for a worker (its sums reach a target on
   * `drain`). Resolves once accepted: a busy pool makes the reader wait, so memory stays flat.
   */
  parse(block: Block, file: string, target: BlockTarget): Promise<void>;
  /** Moves everything parsed so far into the target. */
  drain(target: BlockTarget): Promise<void>;
  close(): Promise<void>;
}

/** Parses in the calling thread: small files, and wherever workers cannot start. */
export function inlineParser(): BlockParser {
  return {
    parse: async (block, file, target) => {
      let firstLine = block.firstLine;
      for (const part of block.parts) firstLine = parseBlock(part, { firstLine, file }, target);
    },
    drain: async () => undefined,
    close: async () => undefined,
  };
}

const marker = 'gatehouse-usage-parser';
// Blocks queued per worker before the reader waits.
const queuePerWorker = 2;

/**
 * Worker threads that parse blocks and sum them as the ingest would, so parsing (most of an
 * ingest's work) uses spare cores. By default one core is left to the reading thread, so on two
 * cores parsing stays inline: there, measured, threads cost 40% more CPU for no gain. This module
 * is its own worker script; from TypeScript sources the workers get tsx as their loader.
 * Undefined when workers cannot start here (or fewer than two are asked for).
 */
export async function startParsePool(
  size = Math.min(4, availableParallelism()),
): Promise<BlockParser | undefined> {
  if (size < 2) return undefined;
  const url = new URL(import.meta.url);
  const fromSources = url.pathname.endsWith('.ts');
  const execArgv =
    fromSources && !process.execArgv.some((arg) => arg.includes('tsx'))
      ? [...process.execArgv, '--import', 'tsx']
      : process.execArgv;
  const workers = Array.from({ length: size }, () => new Worker(url, { workerData: marker, execArgv }));
  const started = await Promise.all(workers.map(ready)).then(
    (answers) => answers.every(Boolean),
    () => false,
  );
  if (!started) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return undefined;
  }
  return new ParsePool(workers);
}

function ready(worker: Worker): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000);
    worker.once('message', (message: FromWorker) => {
      clearTimeout(timer);
      resolve(message.kind === 'ready');
    });
    worker.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

class ParsePool implements BlockParser {
  private readonly queued: number[];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private drains: ((state: { tally: TallyState; batch: BatchState }) => void)[][];

  constructor(private readonly workers: readonly Worker[]) {
    this.queued = workers.map(() => 0);
    this.drains = workers.map(() => []);
    workers.forEach((worker, index) => {
      worker.on('message', (message: FromWorker) => this.answer(index, message));
      worker.on('error', (error) => this.fail(error));
    });
  }

  async parse(block: Block, file: string): Promise<void> {
    for (;;) {
      this.check();
      const index = this.queued.indexOf(Math.min(...this.queued));
      if ((this.queued[index] ?? 0) < queuePerWorker) {
        this.queued[index] = (this.queued[index] ?? 0) + 1;
        // A copy the worker owns: the block may share memory with the read stream's buffer.
        const bytes = new Uint8Array(Buffer.concat(block.parts));
        const message: ToWorker = { kind: 'block', bytes, firstLine: block.firstLine, file };
        this.workers[index]?.postMessage(message, [bytes.buffer]);
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  async drain(target: BlockTarget): Promise<void> {
    const states = await Promise.all(
      this.workers.map(
        (worker, index) =>
          new Promise<{ tally: TallyState; batch: BatchState }>((resolve) => {
            this.drains[index]?.push(resolve);
            worker.postMessage({ kind: 'drain' } satisfies ToWorker);
          }),
      ),
    );
    this.check();
    target.tally.absorb(states.map((state) => state.tally));
    for (const state of states) target.batch.absorb(state.batch);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private answer(index: number, message: FromWorker): void {
    if (message.kind === 'done') {
      this.queued[index] = (this.queued[index] ?? 1) - 1;
      this.wake();
    } else if (message.kind === 'drained') {
      this.drains[index]?.shift()?.(message);
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    this.wake();
    for (const pending of this.drains) for (const resolve of pending.splice(0)) resolve(emptyState());
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private check(): void {
    if (this.failure)
      throw new AppError('internal', `a parsing worker stopped: ${this.failure.message}`, {
        fix: 'Run the ingest again; it resumes where it stopped',
        cause: this.failure,
      });
  }
}

function emptyState(): { tally: TallyState; batch: BatchState } {
  return { tally: new Tally().state(), batch: new UsageBatch().state() };
}

/** The worker's side: parse each block into its own sums; hand them over on `drain`. */
function serveParsing(): void {
  const port = parentPort;
  if (!port) return;
  let target: BlockTarget = { tally: new Tally(), batch: new UsageBatch() };
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'block') {
      parseBlock(message.bytes, message, target);
      port.postMessage({ kind: 'done' } satisfies FromWorker);
      return;
    }
    port.postMessage({
      kind: 'drained',
      tally: target.tally.state(),
      batch: target.batch.state(),
    } satisfies FromWorker);
    target = { tally: new Tally(), batch: new UsageBatch() };
  });
  port.postMessage({ kind: 'ready' } satisfies FromWorker);
}

if (!isMainThread && workerData === marker) serveParsing();
