import { spawn } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** What this step is, for the error message. */
  readonly step: string;
}

export class StepError extends Error {
  override readonly name = 'StepError';
}

/** Runs a command, capturing output; a failure names the step and shows the output's tail. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      reject(new StepError(`${options.step}: cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      const tail = (Buffer.concat(err).toString('utf8') + stdout).trim().split('\n').slice(-25).join('\n');
      reject(new StepError(`${options.step} failed (${command} exited with ${code}):\n${tail}`));
    });
    if (options.input !== undefined && child.stdin) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Prints a line with the time since `start`. */
export function progress(message: string): void {
  process.stderr.write(`[testcluster] ${message}\n`);
}

export function elapsed(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}
