import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
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

/**
 * A network namespace joined to this one by a veth pair and nothing else: no default route, its
 * own loopback. A server started in it reaches no API server; only what dials its address does.
 */
export function isolatedNetwork(tag: number): {
  readonly name: string;
  readonly hostAddress: string;
  readonly address: string;
  remove(): void;
} {
  const name = `gh-agent-${tag}`;
  const subnet = `10.231.${tag % 250}`;
  const host = `gha${tag % 100000}h`;
  const inside = `gha${tag % 100000}n`;
  const run = (...args: string[]) => {
    const result = spawnSync('ip', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
  };
  run('netns', 'add', name);
  run('link', 'add', host, 'type', 'veth', 'peer', 'name', inside);
  run('link', 'set', inside, 'netns', name);
  run('addr', 'add', `${subnet}.1/30`, 'dev', host);
  run('link', 'set', host, 'up');
  run('netns', 'exec', name, 'ip', 'addr', 'add', `${subnet}.2/30`, 'dev', inside);
  run('netns', 'exec', name, 'ip', 'link', 'set', inside, 'up');
  run('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  return {
    name,
    hostAddress: `${subnet}.1`,
    address: `${subnet}.2`,
    remove: () => {
      spawnSync('ip', ['link', 'del', host]);
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}

/** `gatehouse serve` inside a network namespace, listening on its veth address. */
export async function serveInNamespace(
  netns: string,
  listen: string,
  env: NodeJS.ProcessEnv,
): Promise<{ readonly url: string; readonly log: string[]; stop(): Promise<void> }> {
  const child = spawn(
    'ip',
    ['netns', 'exec', netns, process.execPath, '--import', 'tsx', entry, 'serve', '--listen', listen],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
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
      reject(new Error(`serve in ${netns} exited with ${code}:\n${log.join('\n')}`)),
    );
  });
  return {
    url,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Whether a process in the namespace can open a TCP connection to `target` (host:port). */
export function reachableFrom(netns: string, target: URL): boolean {
  const script = `const s=require('node:net').connect(${Number(target.port || 443)},${JSON.stringify(target.hostname)});s.setTimeout(3000,()=>process.exit(2));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  return spawnSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script]).status === 0;
}
