import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { AppError, isAppError } from '../errors.js';
import { execInContainer, type KubeClient } from '../kube/index.js';
import type { AcquireOptions } from './acquire.js';
import type { Target } from './targets.js';

const defaultDebugImage = 'docker.io/library/busybox:1.36.1';

/**
 * Adds an ephemeral debug container that shares the target's PID namespace, and waits until it
 * runs. Kubernetes cannot remove ephemeral containers: it stays in the pod spec, which is logged.
 */
export async function addEphemeralContainer(
  options: Pick<AcquireOptions, 'client' | 'debugImage'>,
  target: Target,
  log: (line: string) => void,
): Promise<{ name: string; image: string }> {
  const name = `gatehouse-${randomBytes(4).toString('hex')}`;
  const image = options.debugImage ?? defaultDebugImage;
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}`;
  await options.client.request({
    method: 'PATCH',
    path: `${path}/ephemeralcontainers`,
    patchType: 'strategic',
    body: {
      spec: {
        ephemeralContainers: [
          {
            name,
            image,
            targetContainerName: target.container,
            command: ['sleep', '3600'],
            stdin: false,
            tty: false,
          },
        ],
      },
    },
  });
  log(
    `EPHEMERAL added debug container ${name} (${image}) targeting ${target.container}; it stays in the pod spec (Kubernetes cannot remove ephemeral containers)`,
  );
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const pod = await options.client.request<{
      status?: {
        ephemeralContainerStatuses?: {
          name: string;
          state?: { running?: object; terminated?: { reason?: string } };
        }[];
      };
    }>({ path });
    const status = pod.status?.ephemeralContainerStatuses?.find((candidate) => candidate.name === name);
    if (status?.state?.running || (await probeExec(options.client, target, name))) return { name, image };
    if (status?.state?.terminated)
      throw new AppError(
        'conflict',
        `debug container ${name} terminated (${status.state.terminated.reason ?? 'unknown'})`,
        { fix: 'Check that the debug image can run on the node (--debug-image)' },
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new AppError('cluster.timeout', `debug container ${name} did not start within 90s`, {
    fix: 'Check the image pull (--debug-image) and the node; `kubectl describe pod` shows why',
  });
}

/** Whether `sh` runs in the container (a distroless image fails with "executable file not found"). */
export async function hasShell(
  client: KubeClient,
  target: Pick<Target, 'namespace' | 'pod' | 'container'>,
): Promise<boolean> {
  let stderr = '';
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const errors = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      stderr += chunk.toString('utf8');
      done();
    },
  });
  try {
    const result = await execInContainer(client, {
      namespace: target.namespace,
      pod: target.pod,
      container: target.container,
      command: ['sh', '-c', 'exit 0'],
      stdout: sink,
      stderr: errors,
      timeoutMs: 15_000,
    });
    return result.status === 'Success' && !/executable file not found/.test(stderr);
  } catch (error) {
    if (isAppError(error) && error.code === 'auth.forbidden') throw error;
    return false;
  }
}

async function probeExec(client: KubeClient, target: Target, container: string): Promise<boolean> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    const result = await execInContainer(client, {
      namespace: target.namespace,
      pod: target.pod,
      container,
      command: ['true'],
      stdout: sink,
      stderr: sink,
      timeoutMs: 10_000,
    });
    return result.status === 'Success';
  } catch {
    // Not running yet: the caller polls again.
    return false;
  }
}

/**
 * A target after one shell probe: an image that looks ordinary but has no shell is marked hidden
 * and left with the ephemeral method only. Targets already hidden, or not reachable by exec, are
 * returned as they are (no exec is spent on them).
 */
export async function probeShell(client: KubeClient, target: Target): Promise<Target> {
  if (target.hidden || !target.methods.includes('exec')) return target;
  if (await hasShell(client, target)) return target;
  return {
    ...target,
    methods: ['ephemeral'],
    hidden: 'no shell: the shell probe failed (acquire with --method ephemeral)',
  };
}
