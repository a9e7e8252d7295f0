import { Writable } from 'node:stream';
import { AppError, describeError } from '../../errors.js';
import { execInContainer, type KubeClient } from '../../kube/index.js';
import { printable } from '../evidence/paths.js';
import type { EvidenceWriter } from '../evidence/writer.js';
import { CollectorStreamParser } from './stream-parser.js';

export interface RunCollectorOptions {
  readonly client: KubeClient;
  readonly target: { readonly namespace: string; readonly pod: string; readonly container: string };
  readonly script: string;
  readonly nonce: string;
  readonly writer: EvidenceWriter;
  readonly log: (line: string) => void;
  readonly maxBytes?: number | undefined;
  readonly timeoutMs?: number | undefined;
  /** Each chunk: the bytes received so far and the items the writer has finished. */
  readonly onProgress?: ((stage: string, bytes: number, items: number) => void) | undefined;
}

/**
 * Runs the collector through exec and streams its output into the writer; returns the bytes
 * received. The stream callbacks never throw: they run inside the WebSocket's message handler,
 * where an exception would escape to the process and end every acquisition in it. A failure
 * there closes this stream only, and is raised here once the exec has ended.
 */
export async function runCollector(options: RunCollectorOptions): Promise<number> {
  const { writer, target } = options;
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024 * 1024;
  const parser = new CollectorStreamParser({
    nonce: options.nonce,
    sink: writer,
    maxEntryBytes: 1024 * 1024 * 1024,
  });
  const stop = new AbortController();
  let broken: unknown;
  const fail = (error: unknown) => {
    broken ??= error;
    stop.abort();
  };
  // Inside stream callbacks even the log may fail (a full disk): that failure is kept, not thrown.
  const log = (line: string) => {
    try {
      options.log(line);
    } catch (error) {
      fail(error);
    }
  };
  const guarded = (step: () => void) => {
    if (broken) return;
    try {
      step();
    } catch (error) {
      fail(error);
      log(`ERROR handling the collector output failed (${describeError(error)}); the stream was closed`);
    }
  };
  let received = 0;
  let capped = false;
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) {
        if (!capped)
          log(
            `ANOMALY the container sent more than ${maxBytes} bytes; the stream was closed and the rest dropped`,
          );
        capped = true;
        stop.abort();
        return done();
      }
      guarded(() => {
        parser.write(chunk);
        options.onProgress?.('collect', received, writer.items.length);
      });
      done();
    },
  });
  let stderrText = '';
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (stderrText.length < 64 * 1024) stderrText += chunk.toString('utf8');
      done();
    },
  });
  // A write after the peer ended the stream is an 'error' event: unheard, it would end the process.
  for (const stream of [stdout, stderr])
    stream.on('error', (error) => log(`WARN the exec stream reported: ${printable(error.message)}`));
  options.onProgress?.('collect', 0, writer.items.length);
  // A collector that runs too long is cut like one that sends too much: what arrived is sealed.
  const timeoutMs = options.timeoutMs ?? 300_000;
  const timer = setTimeout(() => {
    log(
      `ANOMALY the collector ran longer than ${timeoutMs / 1000}s; the stream was closed and what arrived is kept`,
    );
    stop.abort();
  }, timeoutMs);
  const result = await execInContainer(options.client, {
    ...target,
    command: ['sh', '-c', options.script],
    stdout,
    stderr,
    // The exec's own timeout is only a backstop for a stream that ignores the abort.
    timeoutMs: timeoutMs + 30_000,
    signal: stop.signal,
  }).finally(() => {
    clearTimeout(timer);
    guarded(() => parser.end());
    // Runs even after a failure: it closes the file that was open when the stream broke.
    try {
      writer.finish();
    } catch (error) {
      fail(error);
    }
  });
  if (broken)
    throw new AppError('internal', `handling the output of the collector failed: ${describeError(broken)}`, {
      fix: 'Report this with the acquisition log; what arrived before it is sealed',
      cause: broken,
    });
  if (stderrText) options.log(`STDERR ${printable(stderrText, 2000)}`);
  if (/executable file not found|not found/.test(stderrText) && writer.items.length === 0) {
    throw new AppError(
      'input.invalid',
      `container ${target.container} has no shell: exec of sh failed (${printable(stderrText.trim(), 200)})`,
      {
        fix: 'Acquire it with --method ephemeral (adds a debug container that reads the target through /proc)',
      },
    );
  }
  if (result.status !== 'Success')
    options.log(
      `WARN the collector exited with ${result.exitCode ?? 'an error'}: ${printable(result.message, 300)}`,
    );
  return writer.bytesReceived;
}
