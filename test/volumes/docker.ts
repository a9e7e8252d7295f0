import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intrusion } from './containerd.js';
import { baseLayer } from './image.js';

/** The image name `docker import` gives the busybox layer. */
export const dockerImageName = 'gatehouse/busybox:docker';

export interface DockerVolume {
  /** The fake node's root filesystem: Docker's data sits at var/lib/docker under it. */
  readonly root: string;
  /** `docker inspect` of each container while the daemon ran: the oracle. */
  readonly inspected: readonly DockerInspect[];
}

export interface DockerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Created: string;
  readonly Image: string;
  readonly Config: { readonly Labels: Record<string, string>; readonly Image: string };
  readonly GraphDriver: { readonly Data: { readonly UpperDir: string; readonly LowerDir: string } };
}

const dockerPod = {
  'io.kubernetes.pod.name': 'api-1',
  'io.kubernetes.pod.namespace': 'billing',
  'io.kubernetes.container.name': 'api',
  'io.kubernetes.pod.uid': 'uid-api-1',
};

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs Debian's dockerd (20.10) as root with its data root, exec root and socket under `dir`
 * (no iptables, no bridge, its own managed containerd), imports the busybox layer, runs a
 * dockershim-style labelled container and a plain one, lets the intruder change the first, then
 * stops the containers and the daemon.
 */
export async function makeDockerVolume(dir: string): Promise<DockerVolume> {
  const root = join(dir, 'node');
  const dataRoot = join(root, 'var', 'lib', 'docker');
  mkdirSync(dataRoot, { recursive: true });
  writeFileSync(join(dir, 'layer.tar'), baseLayer());
  const socket = join(dir, 'docker.sock');
  const args = ['--iptables=false', '--ip6tables=false', '--bridge=none', '--data-root', dataRoot];
  const daemon = spawn(
    'dockerd',
    [
      ...args,
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
  const docker = (command: readonly string[]) =>
    execFileSync('/usr/bin/docker', ['--host', `unix://${socket}`, ...command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  try {
    await waitFor(() => existsSync(socket), 'dockerd to open its socket');
    await waitFor(() => {
      try {
        docker(['version']);
        return true;
      } catch {
        return false;
      }
    }, 'dockerd to answer');
    docker(['import', join(dir, 'layer.tar'), dockerImageName]);
    const labels = Object.entries(dockerPod).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
    docker([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'k8s_api_api-1',
      ...labels,
      dockerImageName,
      'sleep',
      '100000',
    ]);
    docker(['run', '-d', '--network', 'none', '--name', 'plain', dockerImageName, 'sleep', '100000']);
    docker(['exec', 'k8s_api_api-1', 'sh', '-c', intrusion]);
    const inspected = JSON.parse(docker(['inspect', 'k8s_api_api-1', 'plain'])) as DockerInspect[];
    docker(['kill', 'k8s_api_api-1', 'plain']);
    return { root, inspected };
  } catch (error) {
    throw new Error(
      `making Docker test data: ${String(error)}\n${Buffer.concat(log).toString().slice(-3000)}`,
    );
  } finally {
    daemon.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (daemon.exitCode !== null || daemon.signalCode !== null) resolve();
      else daemon.once('exit', () => resolve());
    });
  }
}
