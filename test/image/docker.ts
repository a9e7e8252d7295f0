import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Debian's docker CLI (docker.io), whatever else the PATH holds. */
const dockerCli = '/usr/bin/docker';

export interface Docker {
  /** The daemon's socket, for commands run another way (a shell pipe). */
  readonly socket: string;
  /** Runs a docker command against this daemon; resolves to its stdout. */
  run(args: readonly string[], options?: { input?: string }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Debian's dockerd with its own data root (kept: it may be a cache) and its socket and exec root
 * under `runDir` (short paths: unix sockets have a length limit), never the system daemon; no
 * iptables, no bridge: containers run with `--network none`.
 */
export async function startDocker(options: { dataRoot: string; runDir: string }): Promise<Docker> {
  const dir = options.runDir;
  const socket = join(dir, 'docker.sock');
  mkdirSync(options.dataRoot, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const daemon: ChildProcess = spawn(
    'dockerd',
    [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--data-root',
      options.dataRoot,
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'docker.pid'),
      '-H',
      `unix://${socket}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log: Buffer[] = [];
  daemon.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
  const run: Docker['run'] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        dockerCli,
        ['--host', `unix://${socket}`, ...args],
        { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, DOCKER_BUILDKIT: '0' } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`docker ${args[0]} failed: ${stderr || error.message}`)) : resolve(stdout),
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  const stop = async () => {
    daemon.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (daemon.exitCode !== null || daemon.signalCode !== null) resolve();
      else daemon.once('exit', () => resolve());
    });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (
      existsSync(socket) &&
      (await execFileAsync(dockerCli, ['--host', `unix://${socket}`, 'version']).then(
        () => true,
        () => false,
      ))
    )
      return { socket, run, stop };
    if (Date.now() > deadline || daemon.exitCode !== null) {
      await stop();
      throw new Error(`dockerd did not answer within 30 s:\n${Buffer.concat(log).toString().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
