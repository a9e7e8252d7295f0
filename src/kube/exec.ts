import type { Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import { AppError, messageOf } from '../errors.js';
import type { KubeClient } from './client.js';
import { clientNode } from './client-node.js';
import { parseForbidden } from './errors.js';

export interface ExecOptions {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Gives up and closes the stream after this long. */
  readonly timeoutMs?: number;
  /** Closes the stream early (e.g. when the container sends too much). */
  readonly signal?: AbortSignal;
}

/** How a command ended: its exit code, or why it could not run. */
export interface ExecResult {
  readonly exitCode: number | undefined;
  readonly status: 'Success' | 'Failure';
  readonly message: string;
}

/**
 * Runs a command in a container through the API server (pods/exec over WebSocket), streaming its
 * output. No stdin is sent: every command must run to completion on its arguments alone.
 */
export async function execInContainer(client: KubeClient, options: ExecOptions): Promise<ExecResult> {
  if (client.transport) return await client.transport.exec(options);
  const exec = new (clientNode().Exec)(client.kubeConfig);
  return await new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    const finish = (result: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timeoutMs = options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      settled = true;
      socket?.terminate();
      const where = `${options.namespace}/${options.pod}/${options.container}`;
      reject(
        new AppError('cluster.timeout', `exec in ${where} did not finish within ${timeoutMs / 1000}s`, {
          fix: 'Check that the container is not stalled (kubectl describe pod); collect less with a smaller --profile',
        }),
      );
    }, timeoutMs);
    let socket: { terminate: () => void } | undefined;
    exec
      .exec(
        options.namespace,
        options.pod,
        options.container,
        [...options.command],
        options.stdout,
        options.stderr,
        null,
        false,
        (status: V1Status) => {
          const exitCause = status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message;
          // A kubelet reports the code as a cause; kwok only in the message ("exit status 3").
          const fromMessage = /exit status (\d+)/.exec(status.message ?? '')?.[1];
          const code = exitCause ?? fromMessage;
          finish({
            exitCode: status.status === 'Success' ? 0 : code !== undefined ? Number(code) : undefined,
            status: status.status === 'Success' ? 'Success' : 'Failure',
            message: status.message ?? '',
          });
        },
      )
      .then((ws) => {
        socket = ws;
        ws.on('close', () =>
          finish({
            exitCode: undefined,
            status: 'Failure',
            message: 'the exec stream closed without a status',
          }),
        );
        const abort = () => {
          finish({
            exitCode: undefined,
            status: 'Failure',
            message: 'closed by Gatehouse before the command finished',
          });
          // terminate(), not close(): a flooding peer may never complete a close handshake.
          ws.terminate();
        };
        if (options.signal?.aborted) abort();
        else options.signal?.addEventListener('abort', abort, { once: true });
      })
      .catch((error: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(execError(error, options));
      });
  });
}

function execError(error: unknown, options: ExecOptions): AppError {
  const text = messageOf(error);
  const body = (error as { body?: unknown }).body;
  const detail = typeof body === 'string' ? body : text;
  const forbidden = parseForbidden(detail);
  const where = `${options.namespace}/${options.pod}/${options.container}`;
  if (forbidden || /403|forbidden/i.test(detail)) {
    return new AppError(
      'auth.forbidden',
      `exec into ${where} was refused: ${forbidden ? `${forbidden.user} may not ${forbidden.verb} ${forbidden.resource}` : detail}`,
      {
        fix: 'Grant create on pods/exec in that namespace (`gatehouse setup rbac forensics` prints a least-privilege role)',
        cause: error,
      },
    );
  }
  return new AppError('cluster.unreachable', `exec into ${where} failed: ${detail}`, {
    fix: 'Check that the pod is running and the API server is reachable',
    cause: error,
  });
}
