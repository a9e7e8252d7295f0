import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { skeleton, writeTree } from './rootfs.js';
import type { ContainerImage } from './seed/profiles.js';

export interface ContainerPaths {
  /** State directory: pid, env, logs; the Exec object points gatehouse-exec here. */
  readonly dir: string;
  readonly root: string;
  readonly log: string;
}

export function containerPaths(
  podsDir: string,
  namespace: string,
  pod: string,
  container: string,
): ContainerPaths {
  const dir = join(podsDir, namespace, pod, container);
  return { dir, root: join(dir, 'root'), log: join(dir, 'container.log') };
}

/**
 * Starts a container's main process the way a runtime would: new PID, mount, UTS, IPC and
 * network namespaces, /proc mounted for its own PID namespace, its root filesystem as `/`.
 * Returns the host PID of the container's PID 1.
 */
export async function startContainer(
  paths: ContainerPaths,
  image: ContainerImage,
  now: Date,
): Promise<number> {
  rmSync(paths.dir, { recursive: true, force: true });
  writeTree(paths.root, { ...skeleton, ...image.tree });
  const env = Object.entries(image.env).map(([key, value]) => `${key}=${value}`);
  writeFileSync(join(paths.dir, 'env'), `${env.join('\n')}\n`);
  writeFileSync(paths.log, criLog(image.logLines, now));
  const output = openSync(join(paths.dir, 'stdout.raw'), 'a');
  const runtime = spawn(
    '/usr/bin/unshare',
    [
      '--pid',
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--fork',
      '--kill-child',
      '--mount-proc',
      `--root=${paths.root}`,
      '--wd=/',
      ...image.entrypoint,
    ],
    { detached: true, stdio: ['ignore', output, output], env: Object.fromEntries(Object.entries(image.env)) },
  );
  runtime.unref();
  if (!runtime.pid) throw new Error(`starting container ${paths.dir} failed: unshare did not start`);
  writeFileSync(join(paths.dir, 'runtime.pid'), `${runtime.pid}\n`);
  const pid = await childOf(runtime.pid);
  writeFileSync(join(paths.dir, 'pid'), `${pid}\n`);
  return pid;
}

async function childOf(parent: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const children = readChildren(parent);
    if (children[0]) return children[0];
    await sleep(20);
  }
  throw new Error(`the container process of runtime ${parent} did not start`);
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // The runtime has already exited; the caller sees no child and reports it.
    return [];
  }
}

/** Container log lines in the CRI file format kwok's log server reads. */
function criLog(lines: readonly string[], now: Date): string {
  return lines
    .map(
      (line, index) =>
        `${new Date(now.getTime() - (lines.length - index) * 60_000).toISOString()} stdout F ${line}\n`,
    )
    .join('');
}

/** Kills every container process found under `podsDir` (PID 1 first: that ends its namespace). */
export function stopContainers(podsDir: string): number {
  let stopped = 0;
  for (const dir of containerDirs(podsDir)) {
    for (const name of ['pid', 'runtime.pid']) {
      const file = join(dir, name);
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 1 && signal(pid)) stopped++;
    }
  }
  return stopped;
}

function signal(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    // Already gone: nothing to stop.
    return false;
  }
}

/** True when every container's PID 1 is alive. */
export function containersAlive(podsDir: string): boolean {
  const dirs = containerDirs(podsDir);
  return (
    dirs.length > 0 &&
    dirs.every((dir) => {
      const file = join(dir, 'pid');
      return existsSync(file) && existsSync(`/proc/${readFileSync(file, 'utf8').trim()}`);
    })
  );
}

function containerDirs(podsDir: string): string[] {
  if (!existsSync(podsDir)) return [];
  const dirs: string[] = [];
  for (const ns of readdirSync(podsDir)) {
    for (const pod of readdirSync(join(podsDir, ns))) {
      for (const container of readdirSync(join(podsDir, ns, pod)))
        dirs.push(join(podsDir, ns, pod, container));
    }
  }
  return dirs;
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}
