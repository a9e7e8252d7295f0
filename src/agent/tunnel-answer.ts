import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AppError } from '../errors.js';
import type { KubeTransport } from '../kube/index.js';
import {
  type CallerFrame,
  dataChunkBytes,
  type ExecSpec,
  encodeData,
  encodeFrame,
  execWindowBytes,
  parseCallerFrame,
  type StreamName,
} from './protocol.js';
import type { FrameSocket } from './tunnel-client.js';
import { toWire } from './wire-error.js';

export interface AnswerOptions {
  readonly socket: FrameSocket;
  /** Performs what the caller asks (the agent: its own API server). */
  readonly target: KubeTransport;
  /** Refuses a call before it runs (the agent: anything outside the Kubernetes API). */
  readonly admit?: (call: Extract<CallerFrame, { type: 'request' | 'exec' }>) => AppError | undefined;
  /** Told of each refused or malformed frame, one line each. */
  readonly log?: (line: string) => void;
  /** Calls one tunnel may run at once. */
  readonly maxCalls?: number;
}

export interface Answerer {
  receive(data: Buffer, isBinary: boolean): void;
  /** The connection is gone: stops every exec still running. */
  close(): void;
  readonly active: number;
}

interface ActiveCall {
  readonly stop: () => void;
  readonly credit: (bytes: number) => void;
}

/** Output of one exec the caller has not read yet, beyond which the exec is stopped. */
const maxQueuedBytes = 64 * 1024 * 1024;

/**
 * The performing end of a tunnel: runs each request and exec the caller sends against `target`
 * and sends back answers and output. Malformed frames are refused one by one (a failure for that
 * id when there is one), so one bad call does not end the others.
 */
export function answerTunnel(options: AnswerOptions): Answerer {
  const active = new Map<number, ActiveCall>();
  const maxCalls = options.maxCalls ?? 256;
  const send = (frame: Parameters<typeof encodeFrame>[0]) => options.socket.send(encodeFrame(frame));
  const fail = (id: number, error: unknown) => send({ type: 'failure', id, error: toWire(error) });
  const start = (frame: Extract<CallerFrame, { type: 'request' | 'exec' }>) => {
    const refused = active.has(frame.id)
      ? new AppError('conflict', `call ${frame.id} is already running`)
      : active.size >= maxCalls
        ? new AppError('conflict', `the agent already runs ${maxCalls} calls`, { fix: 'Retry shortly' })
        : options.admit?.(frame);
    if (refused) {
      options.log?.(`refused ${describeCall(frame)}: ${refused.message}`);
      fail(frame.id, refused);
    } else if (frame.type === 'request') runRequest(frame.id, frame.request);
    else runExec(frame.id, frame.exec);
  };
  const runRequest = (id: number, request: Extract<CallerFrame, { type: 'request' }>['request']) => {
    // A request cannot be stopped half-way (KubeRequest has no signal): a cancel drops its answer.
    let cancelled = false;
    active.set(id, { stop: () => (cancelled = true), credit: () => undefined });
    options.target
      .request(request)
      .then(
        (text) => !cancelled && send({ type: 'response', id, text }),
        (error: unknown) => !cancelled && fail(id, error),
      )
      .finally(() => {
        if (!cancelled) active.delete(id);
      });
  };
  const runExec = (id: number, spec: ExecSpec) => {
    const stop = new AbortController();
    let cancelled = false;
    let overflow: AppError | undefined;
    const window = new CreditWindow();
    const stream = (name: StreamName) =>
      new Writable({
        highWaterMark: dataChunkBytes,
        write(chunk: Buffer, _encoding, done) {
          forward(name, this.writableLength, chunk, done);
        },
        // Output that queued while a send waited is sent as one frame: fewer, larger frames.
        writev(chunks, done) {
          forward(
            name,
            this.writableLength,
            Buffer.concat(chunks.map((entry) => entry.chunk as Buffer)),
            done,
          );
        },
      });
    const forward = (name: StreamName, queued: number, bytes: Buffer, done: () => void) => {
      // The exec stream does not wait for us: past this, the caller reads too slowly to keep up.
      if (queued > maxQueuedBytes && !overflow) {
        overflow = new AppError(
          'internal',
          `the caller read the exec output too slowly (over ${maxQueuedBytes} bytes queued in the agent)`,
          { fix: 'Check the Gatehouse server: its disk or its connection to the agent is too slow' },
        );
        stop.abort();
      }
      sendChunks(options.socket, id, name, bytes, window).then(
        () => done(),
        () => done(),
      );
    };
    const cancel = () => {
      cancelled = true;
      stop.abort();
    };
    active.set(id, { stop: cancel, credit: (bytes) => window.grant(bytes) });
    const stdout = stream('stdout');
    const stderr = stream('stderr');
    options.target
      .exec({ ...spec, stdout, stderr, signal: stop.signal })
      // The exit goes after the last byte of output, which may still wait for credit.
      .then(async (result) => {
        await Promise.all([flushed(stdout), flushed(stderr)]);
        return result;
      })
      .then(
        (result) => {
          if (overflow) fail(id, overflow);
          else if (!cancelled) send({ type: 'exit', id, result });
        },
        (error: unknown) => !cancelled && fail(id, overflow ?? error),
      )
      .finally(() => {
        window.close();
        active.delete(id);
      });
  };
  return {
    get active() {
      return active.size;
    },
    receive(data, isBinary) {
      const frame = parseCallerFrame(data, isBinary);
      switch (frame.type) {
        case 'invalid':
          options.log?.(`refused a frame: ${frame.reason}`);
          return;
        case 'request':
        case 'exec':
          start(frame);
          return;
        case 'credit':
          active.get(frame.id)?.credit(frame.bytes);
          return;
        case 'cancel':
          active.get(frame.id)?.stop();
          active.delete(frame.id);
          return;
        default: {
          const unknown: never = frame;
          return unknown;
        }
      }
    },
    close() {
      for (const call of active.values()) call.stop();
      active.clear();
    },
  };
}

async function flushed(stream: Writable): Promise<void> {
  if (!stream.writableEnded) stream.end();
  await finished(stream).catch(() => undefined);
}

function describeCall(frame: Extract<CallerFrame, { type: 'request' | 'exec' }>): string {
  return frame.type === 'request'
    ? `${frame.request.method ?? 'GET'} ${frame.request.path.slice(0, 200)}`
    : `exec in ${frame.exec.namespace}/${frame.exec.pod}/${frame.exec.container}`.slice(0, 300);
}

/** Sends output in chunks, each only once the caller has granted room for it. */
async function sendChunks(
  socket: FrameSocket,
  id: number,
  stream: StreamName,
  chunk: Buffer,
  window: CreditWindow,
): Promise<void> {
  for (let offset = 0; offset < chunk.length; offset += dataChunkBytes) {
    const bytes = chunk.subarray(offset, offset + dataChunkBytes);
    await window.take(bytes.length);
    socket.send(encodeData({ id, stream, bytes }));
  }
}

/** Bytes the caller allows in flight: taken before each send, given back by its credit frames. */
class CreditWindow {
  #available = execWindowBytes;
  #waiting: { bytes: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  #closed = false;

  take(bytes: number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the exec ended'));
    if (this.#available >= bytes) {
      this.#available -= bytes;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { bytes, resolve, reject };
    });
  }

  grant(bytes: number): void {
    // A caller cannot grant more than it was sent: a hostile one would lift the bound on memory.
    this.#available = Math.min(execWindowBytes, this.#available + bytes);
    const waiting = this.#waiting;
    if (waiting && this.#available >= waiting.bytes) {
      this.#waiting = undefined;
      this.#available -= waiting.bytes;
      waiting.resolve();
    }
  }

  close(): void {
    this.#closed = true;
    this.#waiting?.reject(new Error('the exec ended'));
    this.#waiting = undefined;
  }
}
