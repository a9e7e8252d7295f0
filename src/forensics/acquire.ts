import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { AppError, isAppError, withContext } from '../errors.js';
import { execInContainer, type KubeClient, whoAmI } from '../kube/index.js';
import { collectApiItems } from './api-items.js';
import { buildCollector } from './collectors/script.js';
import { CollectorStreamParser } from './collectors/stream-parser.js';
import { createPackageDir, sealFiles, sealPackage, writeManifest } from './evidence/package.js';
import { printable } from './evidence/paths.js';
import { type S3Target, uploadPackageFiles } from './evidence/s3.js';
import type { CustodyRecord } from './evidence/types.js';
import { EvidenceWriter } from './evidence/writer.js';
import { assertPreflight, preflight } from './preflight.js';
import type { Profile } from './profile.js';
import { listTargets, type MethodName, type Target } from './targets.js';

export interface AcquireOptions {
  readonly client: KubeClient;
  readonly evidenceRoot: string;
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
  readonly method: MethodName | 'auto';
  readonly profile: Profile;
  readonly operator: string;
  readonly gatehouseVersion: string;
  /** Stop reading after this many bytes from the container (endless output). */
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** Also store the package in S3-compatible storage; keys and ETags go into the custody record. */
  readonly s3?: S3Target;
  /** Image of the ephemeral debug container (method ephemeral). */
  readonly debugImage?: string;
  /** Called with each stage, for progress bars. */
  readonly onProgress?: (stage: string, bytes: number) => void;
}

export interface Acquisition {
  readonly id: string;
  readonly root: string;
  readonly packageHash: string;
  readonly custody: CustodyRecord;
  readonly items: number;
  readonly anomalies: number;
}

/**
 * Acquires one container: preflight, API facts, the collector through exec, then the sealed
 * package. Nothing is written in the container and nothing it returns is executed.
 *
 * @example
 * const acquisition = await acquireContainer({ client, evidenceRoot, namespace: 'prod', pod: 'web-1', method: 'auto', profile: defaultProfile, operator: 'alice', gatehouseVersion: '0.1.0' });
 */
export async function acquireContainer(options: AcquireOptions): Promise<Acquisition> {
  const target = await findTarget(options);
  let method = resolveMethod(options.method, target);
  // auto: an image that looks ordinary may still have no shell; a probe decides before anything is written.
  if (
    options.method === 'auto' &&
    method === 'exec' &&
    target.methods.includes('ephemeral') &&
    !(await hasShell(options.client, target))
  ) {
    method = 'ephemeral';
  }
  assertPreflight(await preflight(options.client, method, target.namespace), method);
  const identity = await identityOf(options.client);
  const startedAt = new Date();
  const { id, root } = createPackageDir(options.evidenceRoot, startedAt);
  const errors: string[] = [];
  const log = (line: string) => {
    appendFileSync(join(root, 'acquisition.log'), `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    if (/^(ANOMALY|WARN|ERROR|UNAVAILABLE)/.test(line)) errors.push(line);
  };
  writeFileSync(join(root, 'acquisition.log'), '', { mode: 0o600 });
  log(
    `START ${method} acquisition of ${target.namespace}/${target.pod}/${target.container} by ${options.operator} as ${identity?.username ?? 'unknown'}${options.client.transport ? ` through ${options.client.transport.name}` : ''}`,
  );
  options.onProgress?.('api', 0);
  const apiItems = await collectApiItems(options.client, root, target, log);
  const nonce = randomBytes(12).toString('hex');
  let runIn = target.container;
  let debugContainer: { name: string; image: string } | undefined;
  if (method === 'ephemeral') {
    debugContainer = await addEphemeralContainer(options, target, log);
    runIn = debugContainer.name;
  }
  const collector = buildCollector(options.profile, nonce, method === 'ephemeral' ? '/proc/1/root' : '');
  log(`COLLECTOR profile ${options.profile.name}, sha256 ${collector.sha256}`);
  const writer = new EvidenceWriter({ root, method, log });
  let bytes: number;
  try {
    bytes = await runCollector(
      options,
      { ...target, container: runIn },
      collector.script,
      nonce,
      writer,
      log,
    );
  } catch (error) {
    // Nothing came back from the container: an unsealed shell of a package would only mislead.
    if (writer.items.length === 0) rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const items = [...apiItems, ...writer.items];
  log(`END ${items.length} items, ${bytes} bytes, ${errors.length} problems`);
  writeManifest(root, items);
  // A failed upload must not cost the local evidence: it is sealed anyway, then the error raised.
  let uploadError: unknown;
  const stored = options.s3
    ? await uploadPackageFiles(root, id, options.s3, listUploadable(root)).catch((error: unknown) => {
        uploadError = error;
        log(
          `ERROR upload to S3 failed: ${isAppError(error) ? error.describe() : String(error)}; the package is sealed locally`,
        );
        return undefined;
      })
    : undefined;
  const custody: CustodyRecord = {
    packageId: id,
    operator: options.operator,
    kubernetesIdentity: identity,
    cluster: { context: options.client.context, server: options.client.server },
    target: {
      namespace: target.namespace,
      pod: target.pod,
      podUid: target.podUid,
      container: target.container,
      containerId: target.containerId,
      node: target.node,
      image: target.image,
      imageDigest: target.imageDigest,
    },
    method,
    ...(options.client.transport ? { transport: options.client.transport.name } : {}),
    ...(debugContainer ? { ephemeralContainer: debugContainer } : {}),
    gatehouseVersion: options.gatehouseVersion,
    collector: { profile: options.profile.name, sha256: collector.sha256 },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    bytesReceived: bytes,
    errors,
    partialItems: writer.items.filter((item) => item.status === 'partial').map((item) => item.source),
    ...(stored && options.s3
      ? {
          storage: {
            kind: 's3' as const,
            bucket: options.s3.bucket,
            prefix: options.s3.prefix ?? '',
            objects: stored,
          },
        }
      : {}),
  };
  const packageHash = sealPackage(root, custody);
  if (uploadError)
    throw withContext(uploadError, `package ${id} is sealed locally in ${root}, but not stored`);
  if (options.s3) await uploadPackageFiles(root, id, options.s3, sealFiles);
  return {
    id,
    root,
    packageHash,
    custody,
    items: writer.items.length + apiItems.length,
    anomalies: errors.length,
  };
}

async function findTarget(options: AcquireOptions): Promise<Target> {
  const targets = (await listTargets(options.client, { namespace: options.namespace })).filter(
    (target) => target.pod === options.pod,
  );
  if (targets.length === 0) {
    throw new AppError('not-found', `pod ${options.namespace}/${options.pod} not found`, {
      fix: 'List targets with `gatehouse targets -n NAMESPACE`',
    });
  }
  const target = options.container
    ? targets.find((candidate) => candidate.container === options.container)
    : targets[0];
  if (!target) {
    throw new AppError(
      'not-found',
      `pod ${options.namespace}/${options.pod} has no container "${options.container}"`,
      {
        fix: `Use -c with one of: ${targets.map((candidate) => candidate.container).join(', ')}`,
      },
    );
  }
  if (target.state !== 'running') {
    throw new AppError(
      'conflict',
      `container ${target.container} of ${target.namespace}/${target.pod} is not running (${target.state})`,
      {
        fix: 'Volatile state can only be acquired from a running container; collect its logs with `kubectl logs --previous`',
      },
    );
  }
  return target;
}

function resolveMethod(requested: MethodName | 'auto', target: Target): MethodName {
  if (requested !== 'auto') return requested;
  return target.methods[0] ?? 'exec';
}

const defaultDebugImage = 'docker.io/library/busybox:1.36.1';

/**
 * Adds an ephemeral debug container that shares the target's PID namespace, and waits until it
 * runs. Kubernetes cannot remove ephemeral containers: it stays in the pod spec, which is logged.
 */
async function addEphemeralContainer(
  options: AcquireOptions,
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

async function identityOf(client: KubeClient): Promise<{ username: string; groups: string[] } | undefined> {
  try {
    return await whoAmI(client);
  } catch {
    // Older clusters lack SelfSubjectReview; custody then records the identity as unknown.
    return undefined;
  }
}

async function runCollector(
  options: AcquireOptions,
  target: Target,
  script: string,
  nonce: string,
  writer: EvidenceWriter,
  log: (line: string) => void,
): Promise<number> {
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024 * 1024;
  const parser = new CollectorStreamParser({ nonce, sink: writer, maxEntryBytes: 1024 * 1024 * 1024 });
  let received = 0;
  let capped = false;
  const stop = new AbortController();
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) {
        if (!capped)
          log(
            `ANOMALY the container sent more than ${maxBytes} bytes; the stream was closed and the rest dropped`,
          );
        capped = true;
        stop.abort();
        return done();
      }
      parser.write(chunk);
      options.onProgress?.('collect', received);
      done();
    },
  });
  let stderrText = '';
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (stderrText.length < 64 * 1024) stderrText += chunk.toString('utf8');
      done();
    },
  });
  options.onProgress?.('collect', 0);
  // A collector that runs too long is cut like one that sends too much: what arrived is sealed.
  const timeoutMs = options.timeoutMs ?? 300_000;
  const timer = setTimeout(() => {
    log(
      `ANOMALY the collector ran longer than ${timeoutMs / 1000}s; the stream was closed and what arrived is kept`,
    );
    stop.abort();
  }, timeoutMs);
  const result = await execInContainer(options.client, {
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    command: ['sh', '-c', script],
    stdout,
    stderr,
    // The exec's own timeout is only a backstop for a stream that ignores the abort.
    timeoutMs: timeoutMs + 30_000,
    signal: stop.signal,
  }).finally(() => clearTimeout(timer));
  parser.end();
  writer.finish();
  if (stderrText) log(`STDERR ${printable(stderrText, 2000)}`);
  if (/executable file not found|not found/.test(stderrText) && writer.items.length === 0) {
    throw new AppError(
      'input.invalid',
      `container ${target.container} has no shell: exec of sh failed (${printable(stderrText.trim(), 200)})`,
      {
        fix: 'Acquire it with --method ephemeral (adds a debug container that reads the target through /proc)',
      },
    );
  }
  if (result.status !== 'Success')
    log(`WARN the collector exited with ${result.exitCode ?? 'an error'}: ${printable(result.message, 300)}`);
  return writer.bytesReceived;
}

function listUploadable(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [relative(root, join(dir, name))],
    );
  return walk(root).filter((path) => !(sealFiles as readonly string[]).includes(path));
}
