import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../testcluster/run.js';
import type { RuntimeSettings } from './dockerfile.js';

/** Docker's default PATH, which an image's ENV extends. */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A mount beside the runtime's own (/proc, /dev, /sys). */
export type ExtraMount =
  | { readonly kind: 'tmpfs'; readonly destination: string; readonly owner?: { uid: number; gid: number } }
  | { readonly kind: 'bind'; readonly destination: string; readonly source: string };

/** How the container's process runs: what an image config or a pod spec decides. */
export interface ProcessSpec {
  readonly user: { readonly uid: number; readonly gid: number };
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly mounts: readonly ExtraMount[];
  /** `private`: its own network namespace (loopback only); `host`: this machine's. */
  readonly network: 'private' | 'host';
}

/** The process an image built from the Dockerfile runs: ENTRYPOINT + (args or CMD), USER, ENV. */
export function imageProcess(settings: RuntimeSettings, args?: readonly string[]): ProcessSpec {
  const home = settings.env.GATEHOUSE_HOME ?? '/var/lib/gatehouse';
  return {
    user: settings.user,
    args: [...settings.entrypoint, ...(args ?? settings.cmd)],
    env: { PATH: defaultPath, HOME: home, ...settings.env },
    cwd: settings.workdir,
    // As the chart mounts them: the root is read-only, these two are the writable places.
    mounts: [
      { kind: 'tmpfs', destination: '/tmp' },
      { kind: 'tmpfs', destination: home, owner: settings.user },
    ],
    network: 'private',
  };
}

function mountEntry(mount: ExtraMount): object {
  switch (mount.kind) {
    case 'tmpfs': {
      const owner = mount.owner
        ? [`uid=${mount.owner.uid}`, `gid=${mount.owner.gid}`, 'mode=700']
        : ['mode=1777'];
      return {
        destination: mount.destination,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', ...owner],
      };
    }
    case 'bind':
      return { destination: mount.destination, type: 'bind', source: mount.source, options: ['rbind', 'ro'] };
    default: {
      const unreachable: never = mount;
      throw new Error(`unknown mount ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * An OCI runtime config as the chart runs the pod: read-only root, no capabilities, no new
 * privileges, the process's user and mounts.
 */
function bundleConfig(rootfs: string, spec: ProcessSpec): object {
  const namespaces = ['pid', 'ipc', 'uts', 'mount', ...(spec.network === 'private' ? ['network'] : [])];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: spec.user,
      args: spec.args,
      env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      cwd: spec.cwd,
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
      noNewPrivileges: true,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }],
    },
    root: { path: rootfs, readonly: true },
    hostname: 'gatehouse',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...spec.mounts.map(mountEntry),
    ],
    linux: {
      namespaces: namespaces.map((type) => ({ type })),
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

export interface RuncOptions {
  /** Holds the bundle and a private runc state directory (never the system's). */
  readonly dir: string;
  readonly id: string;
  readonly rootfs: string;
  readonly process: ProcessSpec;
}

function prepare(options: RuncOptions): { bundle: string; state: string[] } {
  const bundle = join(options.dir, `bundle-${options.id}`);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(
    join(bundle, 'config.json'),
    JSON.stringify(bundleConfig(options.rootfs, options.process), null, 2),
  );
  return { bundle, state: ['--root', join(options.dir, 'runc-state')] };
}

/** Runs the process to its end and returns its output. */
export function runOnce(options: RuncOptions): Promise<string> {
  const { bundle, state } = prepare(options);
  return run('runc', [...state, 'run', '--bundle', bundle, options.id], { step: `runc run ${options.id}` });
}

export interface Container {
  readonly id: string;
  /** Runs a command in the running container (`runc exec`), as its user. */
  exec(args: readonly string[]): Promise<string>;
  /** Everything the main process wrote so far. */
  output(): string;
  /** True once the main process has exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

/** Starts the process in the background; `stop()` kills and deletes the container. */
export function start(options: RuncOptions): Container {
  const { bundle, state } = prepare(options);
  const child: ChildProcess = spawn('runc', [...state, 'run', '--bundle', bundle, options.id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  return {
    id: options.id,
    exec: (args) => run('runc', [...state, 'exec', options.id, ...args], { step: `runc exec ${options.id}` }),
    output: () => Buffer.concat(chunks).toString('utf8'),
    exited: () => gone,
    stop: async () => {
      await run('runc', [...state, 'kill', options.id, 'KILL'], { step: 'runc kill' }).catch(() => '');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await run('runc', [...state, 'delete', '--force', options.id], { step: 'runc delete' }).catch(() => '');
    },
  };
}
