import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../scripts/gatehouse.ts', import.meta.url));

/** A `gatehouse agent` process run from source, and what it logged. */
export interface AgentProcess {
  readonly child: ChildProcess;
  readonly log: string[];
  /** Resolves once the agent logged that it is connected (after `from` lines of the log). */
  connected(from?: number): Promise<void>;
  /** SIGKILL: the agent dies mid-call, as in an OOM kill or a node failure. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function startAgent(args: readonly string[], env: NodeJS.ProcessEnv): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let buffer = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    log.push(...lines);
  });
  const connected = async (from = 0) => {
    const deadline = Date.now() + 60_000;
    while (!log.slice(from).some((line) => line.includes(' connected to '))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the agent did not connect:\n${log.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    child,
    log,
    connected,
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

/**
 * A TCP relay that passes what the agent sends at a limited rate: an acquisition through it takes
 * long enough for a test to kill the agent half-way, whatever the machine's speed.
 */
export async function throttlingRelay(
  target: URL,
  bytesPerSecond: number,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((agentSide) => {
    const serverSide = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [agentSide, serverSide]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        agentSide.destroy();
        serverSide.destroy();
      });
    }
    serverSide.pipe(agentSide);
    agentSide.on('data', (chunk: Buffer) => {
      agentSide.pause();
      serverSide.write(chunk);
      setTimeout(() => agentSide.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
