import type { Writable } from 'node:stream';
import { AppError } from '../errors.js';
import type { ExecOptions, ExecResult, KubeRequest, KubeTransport } from '../kube/index.js';
import {
  type AnswerFrame,
  type DataFrame,
  dataChunkBytes,
  encodeFrame,
  execWindowBytes,
  parseAnswerFrame,
} from './protocol.js';
import { fromWire } from './wire-error.js';

/** The narrow part of a WebSocket the tunnel writes to. */
export interface FrameSocket {
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
}

type Pending =
  | {
      readonly kind: 'request';
      readonly resolve: (text: string) => void;
      readonly reject: (error: AppError) => void;
      readonly timer: NodeJS.Timeout;
    }
  | {
      readonly kind: 'exec';
      readonly resolve: (result: ExecResult) => void;
      readonly reject: (error: AppError) => void;
      readonly timer: NodeJS.Timeout;
      readonly stdout: Writable;
      readonly stderr: Writable;
      /** Bytes received and not yet acknowledged by a credit frame. */
      unacknowledged: number;
      readonly stopListening: () => void;
    };

export interface TunnelClientOptions {
  readonly socket: FrameSocket;
  /** For errors and custody records, e.g. `agent "prod"`. */
  readonly name: string;
  /** Told of frames the peer should never send (then the tunnel is closed). */
  readonly onViolation?: (reason: string) => void;
  /** Default wait for a request's answer when the request sets none. */
  readonly timeoutMs?: number;
}

/** Time for an answer to cross the tunnel beyond the API server's own timeout. */
const transitMs = 5_000;

/**
 * The calling end of a tunnel: a {@link KubeTransport} whose requests and execs travel as frames
 * to the peer that performs them (the agent, or the server relaying to it). Calls are
 * multiplexed by id; each has a timeout; exec output is acknowledged as it is written, so a slow
 * reader slows the agent instead of filling memory.
 */
export class TunnelClient implements KubeTransport {
  readonly name: string;
  readonly #options: TunnelClientOptions;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed: AppError | undefined;

  constructor(options: TunnelClientOptions) {
    this.#options = options;
    this.name = options.name;
  }

  /** Whether the connection is gone (then every call fails at once). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Calls waiting for an answer. */
  get pending(): number {
    return this.#pending.size;
  }

  request(request: KubeRequest): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      const id = this.#id();
      const timeoutMs = (request.timeoutMs ?? this.#options.timeoutMs ?? 30_000) + transitMs;
      const timer = setTimeout(() => {
        this.#forget(id, true);
        reject(this.#timeout(`${request.method ?? 'GET'} ${request.path}`, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { kind: 'request', resolve, reject, timer });
      this.#options.socket.send(encodeFrame({ type: 'request', id, request }));
    });
  }

  exec(options: ExecOptions): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      const id = this.#id();
      const timeoutMs = options.timeoutMs ?? 300_000;
      const where = `${options.namespace}/${options.pod}/${options.container}`;
      const timer = setTimeout(() => {
        this.#forget(id, true);
        reject(this.#timeout(`exec in ${where}`, timeoutMs));
      }, timeoutMs + transitMs);
      const abort = () => {
        this.#forget(id, true);
        resolve({
          exitCode: undefined,
          status: 'Failure',
          message: 'closed by Gatehouse before the command finished',
        });
      };
      if (options.signal?.aborted) {
        clearTimeout(timer);
        return abort();
      }
      options.signal?.addEventListener('abort', abort, { once: true });
      const stopListening = () => options.signal?.removeEventListener('abort', abort);
      const { stdout, stderr } = options;
      this.#pending.set(id, {
        kind: 'exec',
        resolve,
        reject,
        timer,
        stdout,
        stderr,
        unacknowledged: 0,
        stopListening,
      });
      const exec = {
        namespace: options.namespace,
        pod: options.pod,
        container: options.container,
        command: options.command,
        timeoutMs,
      };
      this.#options.socket.send(encodeFrame({ type: 'exec', id, exec }));
    });
  }

  /** Takes one message from the peer. */
  receive(data: Buffer, isBinary: boolean): void {
    const frame = parseAnswerFrame(data, isBinary);
    switch (frame.type) {
      case 'invalid':
        this.#violation(frame.reason);
        break;
      case 'hello':
        this.#violation('a second hello');
        break;
      case 'data':
        this.#data(frame);
        break;
      case 'response':
      case 'failure':
      case 'exit':
        this.#settle(frame);
        break;
      default: {
        const unknown: never = frame;
        throw new Error(`unhandled frame ${String(unknown)}`);
      }
    }
  }

  /** The connection is gone: every call in flight fails with `error`, and so does every later one. */
  close(error: AppError): void {
    this.#closed ??= error;
    for (const [id, call] of this.#pending) {
      this.#forget(id, false);
      call.reject(error);
    }
  }

  #id(): number {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffff_ffff ? 1 : this.#nextId + 1;
    return id;
  }

  /** Drops a call; `cancel` also tells the peer to stop working on it. */
  #forget(id: number, cancel: boolean): void {
    const call = this.#pending.get(id);
    if (!call) return;
    this.#pending.delete(id);
    clearTimeout(call.timer);
    if (call.kind === 'exec') call.stopListening();
    if (cancel && !this.#closed) this.#options.socket.send(encodeFrame({ type: 'cancel', id }));
  }

  #settle(frame: Extract<AnswerFrame, { id: number }>): void {
    const call = this.#pending.get(frame.id);
    // A late answer to a call that timed out or was cancelled: nothing waits for it any more.
    if (!call) return;
    if (frame.type === 'failure') {
      this.#forget(frame.id, false);
      call.reject(fromWire(frame.error, this.name));
      return;
    }
    if (frame.type === 'response' && call.kind === 'request') {
      this.#forget(frame.id, false);
      call.resolve(frame.text);
      return;
    }
    if (frame.type === 'exit' && call.kind === 'exec') {
      this.#forget(frame.id, false);
      const { result } = frame;
      call.resolve({ ...result, exitCode: result.exitCode ?? undefined });
      return;
    }
    this.#violation(`a ${frame.type} frame for a ${call.kind} call`);
  }

  #data(frame: DataFrame): void {
    const call = this.#pending.get(frame.id);
    if (!call) return;
    if (call.kind !== 'exec') {
      this.#violation('exec output for a request call');
      return;
    }
    call.unacknowledged += frame.bytes.length;
    if (frame.bytes.length > dataChunkBytes || call.unacknowledged > execWindowBytes + dataChunkBytes) {
      this.#violation('exec output beyond the window the caller granted');
      return;
    }
    const target = frame.stream === 'stdout' ? call.stdout : call.stderr;
    const length = frame.bytes.length;
    target.write(frame.bytes, () => {
      // Acknowledged once written: a slow disk holds the agent back by at most one window.
      if (!this.#pending.has(frame.id) || this.#closed) return;
      call.unacknowledged -= length;
      this.#options.socket.send(encodeFrame({ type: 'credit', id: frame.id, bytes: length }));
    });
  }

  #violation(reason: string): void {
    this.#options.onViolation?.(reason);
    const error = new AppError('internal', `${this.name} broke the tunnel protocol: ${reason}`, {
      fix: 'Run the same Gatehouse version on the server and the agent; the agent reconnects by itself',
    });
    this.close(error);
    this.#options.socket.close(1002, 'protocol error');
  }

  #timeout(what: string, timeoutMs: number): AppError {
    return new AppError(
      'cluster.timeout',
      `${what} through ${this.name} got no answer within ${timeoutMs / 1000}s`,
      {
        fix: 'Check that the agent is running and its API server answers (kubectl -n NAMESPACE logs the agent pod)',
      },
    );
  }
}
