import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../testcluster/run.js';
import type { RuntimeSettings } from './dockerfile.js';

/** Docker's default PATH, which an image's ENV extends. */
const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Container {
  readonly id: string;
  /** Runs a command in the running container (`runc exec`), as its user. */
  exec(args: readonly string[]): Promise<string>;
  /** Everything the container's main process wrote so far. */
  output(): string;
  /** True once the main process has exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

/**
 * An OCI runtime bundle as the chart runs the pod: read-only root, the image's user, no
 * capabilities, no new privileges, tmpfs on /tmp and the data directory, its own network
 * namespace (loopback only).
 */
function bundleConfig(rootfs: string, settings: RuntimeSettings, args: readonly string[]): object {
  const env = { PATH: defaultPath, HOME: settings.env.GATEHOUSE_HOME ?? '/', ...settings.env };
  const owned = `uid=${settings.user.uid},gid=${settings.user.gid}`;
  const tmpfs = (destination: string, options: string[]) => ({
    destination,
    type: 'tmpfs',
    source: 'tmpfs',
    options,
  });
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: settings.user,
      args,
      env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
      cwd: settings.workdir,
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
      noNewPrivileges: true,
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }],
    },
    root: { path: rootfs, readonly: true },
    hostname: 'gatehouse',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      tmpfs('/dev', ['nosuid', 'strictatime', 'mode=755', 'size=65536k']),
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      tmpfs('/dev/shm', ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']),
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      tmpfs('/tmp', ['nosuid', 'nodev', 'mode=1777']),
      tmpfs(settings.env.GATEHOUSE_HOME ?? '/var/lib/gatehouse', ['nosuid', 'nodev', 'mode=700', owned]),
    ],
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** A private runc state directory and bundle under `dir`: never the system's. */
function prepare(
  dir: string,
  id: string,
  rootfs: string,
  settings: RuntimeSettings,
  args: readonly string[],
) {
  const bundle = join(dir, `bundle-${id}`);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(bundleConfig(rootfs, settings, args), null, 2));
  return { bundle, state: ['--root', join(dir, 'runc-state')] };
}

/** Runs the image's entrypoint with `args` to the end and returns its output. */
export function runOnce(options: {
  dir: string;
  id: string;
  rootfs: string;
  settings: RuntimeSettings;
  args: readonly string[];
}): Promise<string> {
  const { bundle, state } = prepare(options.dir, options.id, options.rootfs, options.settings, [
    ...options.settings.entrypoint,
    ...options.args,
  ]);
  return run('runc', [...state, 'run', '--bundle', bundle, options.id], { step: `runc run ${options.id}` });
}

/** Starts the image's entrypoint + CMD in the background; `stop()` kills and deletes it. */
export async function start(options: {
  dir: string;
  id: string;
  rootfs: string;
  settings: RuntimeSettings;
}): Promise<Container> {
  const { settings } = options;
  const { bundle, state } = prepare(options.dir, options.id, options.rootfs, settings, [
    ...settings.entrypoint,
    ...settings.cmd,
  ]);
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
