import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { ExecOptions, ExecResult, KubeRequest, KubeTransport } from '../kube/index.js';
import type { RunCommandPort } from './types.js';

/** One shell word, whatever it contains. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

function pathOf(request: KubeRequest): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {}))
    if (value !== undefined) query.set(key, String(value));
  const text = query.toString();
  return text ? `${request.path}?${text}` : request.path;
}

/** kubectl's `Error from server (Forbidden): …` in the error vocabulary. */
function kubectlError(logs: string, what: string): AppError {
  const line =
    logs.split('\n').find((candidate) => candidate.startsWith('Error from server')) ??
    logs.trim().split('\n').at(-1) ??
    '';
  const reason = /Error from server \((\w+)\)/.exec(line)?.[1];
  const message = `${what} through run command: ${line.slice(0, 500)}`;
  switch (reason) {
    case 'Forbidden':
      return new AppError('auth.forbidden', message, {
        fix: 'Grant the missing RBAC verb to the identity the run command uses (gatehouse setup rbac)',
      });
    case 'NotFound':
      return new AppError('not-found', message);
    case 'Conflict':
    case 'AlreadyExists':
      return new AppError('conflict', message);
    case 'Unauthorized':
      return new AppError('auth.unauthorized', message, {
        fix: 'Sign in again (az login) and check the cluster grants your identity access',
      });
    default:
      return new AppError('internal', message);
  }
}

/** RFC 7386 JSON merge patch: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * The Kubernetes API through a cloud run-command port (AKS command invoke), for clusters whose
 * API server this machine cannot reach. Reads become `kubectl get --raw`, writes `kubectl
 * create|replace --raw` with the body as a file, and exec becomes `kubectl exec` whose output comes
 * back base64-encoded between markers, so binary collector output survives the text logs. Each
 * call starts a pod in `aks-command` and takes tens of seconds: fine for forensics and sync, too
 * slow for interactive use.
 */
export class RunCommandTransport implements KubeTransport {
  readonly name = 'AKS run command';
  readonly #port: RunCommandPort;

  constructor(port: RunCommandPort) {
    this.#port = port;
  }

  async request(request: KubeRequest): Promise<string> {
    // kubectl has no raw PATCH: a merge patch is applied here and written back with the
    // resourceVersion read, so a concurrent change makes the write fail (409) instead of being lost.
    if (request.method === 'PATCH' && (request.patchType ?? 'merge') === 'merge') {
      const current = JSON.parse(await this.request({ path: request.path })) as unknown;
      return await this.request({
        method: 'PUT',
        path: request.path,
        body: mergePatch(current, request.body),
      });
    }
    const method = request.method ?? 'GET';
    const path = shellQuote(pathOf(request));
    const verb = { GET: 'get', POST: 'create', PUT: 'replace', PATCH: undefined, DELETE: 'delete' }[method];
    if (!verb)
      throw new AppError(
        'input.invalid',
        `a ${request.patchType ?? ''} ${method} is not available through run command`,
        {
          fix: 'Run this from a machine that reaches the API server (the ephemeral acquisition method needs it)',
        },
      );
    const files: Record<string, Uint8Array> =
      request.body === undefined ? {} : { 'body.json': Buffer.from(JSON.stringify(request.body)) };
    const result = await this.#framed(
      `kubectl ${verb} --raw ${path}${request.body === undefined ? '' : ' -f body.json'}`,
      files,
    );
    if (result.exitCode !== 0)
      throw kubectlError(result.stderr.toString('utf8'), `${method} ${request.path}`);
    return result.stdout.toString('utf8');
  }

  async exec(options: ExecOptions): Promise<ExecResult> {
    // The command goes as a file, so no quoting of the collector script can go wrong.
    const script = options.command.map(shellQuote).join(' ');
    const result = await this.#framed(
      `kubectl exec -n ${shellQuote(options.namespace)} ${shellQuote(options.pod)} -c ${shellQuote(options.container)} -- sh -c "$(cat command.sh)"`,
      { 'command.sh': Buffer.from(`exec ${script}\n`) },
      options.timeoutMs,
    );
    options.stdout.write(result.stdout);
    options.stderr.write(result.stderr);
    const { exitCode } = result;
    return {
      exitCode,
      status: exitCode === 0 ? 'Success' : 'Failure',
      message: exitCode === 0 ? '' : `command terminated with exit code ${exitCode}`,
    };
  }

  /**
   * Runs one command with stdout and stderr kept apart and base64-encoded between random markers:
   * run command returns a single text log, and container output may be binary or mimic markers.
   */
  async #framed(
    command: string,
    files: Record<string, Uint8Array>,
    timeoutMs?: number,
  ): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }> {
    const marker = randomBytes(8).toString('hex');
    const wrapped = `${command} >out 2>err; code=$?; echo "${marker} out"; base64 -w0 out; echo; echo "${marker} err"; base64 -w0 err; echo; echo "${marker} exit $code"`;
    const result = await this.#port.run({
      command: wrapped,
      ...(Object.keys(files).length ? { files } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    const section = (name: string) =>
      new RegExp(`${marker} ${name}\\n([A-Za-z0-9+/=]*)\\n`).exec(result.logs)?.[1];
    const stdout = section('out');
    const exit = new RegExp(`${marker} exit (\\d+)`).exec(result.logs)?.[1];
    if (stdout === undefined || exit === undefined)
      throw new AppError(
        'internal',
        `run command returned no result (exit ${result.exitCode}): ${result.logs.slice(0, 300)}`,
        {
          fix: 'Check that the run command pod can start in the cluster (namespace aks-command)',
        },
      );
    return {
      exitCode: Number(exit),
      stdout: Buffer.from(stdout, 'base64'),
      stderr: Buffer.from(section('err') ?? '', 'base64'),
    };
  }
}
