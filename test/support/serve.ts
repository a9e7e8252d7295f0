import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../scripts/gatehouse.ts', import.meta.url));

/** A `gatehouse serve` process run from source, and what it logged. */
export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly log: string[];
  /** When the process was spawned (ms since epoch). */
  readonly spawnedAt: number;
  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `gatehouse serve` on a free port and waits for it to announce its URL. */
export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const spawnedAt = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'serve', '--listen', '127.0.0.1:0', ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        const match = /API on (http:\/\/\S+) /.exec(line);
        if (match) resolve(match[1]!);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`gatehouse serve exited with ${code}:\n${log.join('\n')}${buffer}`)),
    );
  });
  return {
    url,
    child,
    log,
    spawnedAt,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
