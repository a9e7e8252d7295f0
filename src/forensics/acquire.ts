import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AppError, describeError, isAppError, withContext } from '../errors.js';
import { type Principal, requireRole } from '../identity/index.js';
import { type KubeClient, whoAmI } from '../kube/index.js';
import { collectApiItems } from './api-items.js';
import { chooseMethod, findTarget } from './choose-target.js';
import { runCollector } from './collectors/run.js';
import { buildCollector } from './collectors/script.js';
import { addEphemeralContainer } from './debug-container.js';
import { createPackageDir, sealFiles, sealPackage, writeManifest } from './evidence/package.js';
import { type S3Target, uploadPackageFiles } from './evidence/s3.js';
import type { ClusterCustodyRecord, CustodyRecord, ManifestItem } from './evidence/types.js';
import { EvidenceWriter } from './evidence/writer.js';
import { assertPreflight, preflight } from './preflight.js';
import type { Profile } from './profile.js';
import type { MethodName, Target } from './targets.js';

export interface AcquireOptions {
  readonly client: KubeClient;
  readonly evidenceRoot: string;
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
  readonly method: MethodName | 'auto';
  readonly profile: Profile;
  /** Who acquires: a responder (or an admin); named in the custody record and the log. */
  readonly operator: Principal;
  readonly gatehouseVersion: string;
  /** Stop reading after this many bytes from the container (endless output). */
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** Also store the package in S3-compatible storage; keys and ETags go into the custody record. */
  readonly s3?: S3Target;
  /** Image of the ephemeral debug container (method ephemeral). */
  readonly debugImage?: string;
  /** Called with each stage (api, collect), the bytes and the items so far, for progress bars. */
  readonly onProgress?: (stage: string, bytes: number, items: number) => void;
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
 * package. Nothing is written in the container and nothing it returns is executed. Once the
 * container has sent anything, the package is sealed with what arrived, whatever fails after;
 * a failure is then raised naming the sealed package (its id and hash are in the error details).
 *
 * @example
 * const acquisition = await acquireContainer({ client, evidenceRoot, namespace: 'prod', pod: 'web-1', method: 'auto', profile: defaultProfile, operator: localPrincipal(), gatehouseVersion: '0.1.0' });
 */
export async function acquireContainer(options: AcquireOptions): Promise<Acquisition> {
  requireRole(options.operator, 'responder', `acquire evidence from ${options.namespace}/${options.pod}`);
  const target = await findTarget(options);
  const method = await chooseMethod(options, target);
  assertPreflight(await preflight(options.client, method, target.namespace), method);
  const identity = await identityOf(options.client);
  const startedAt = new Date();
  const { id, root } = createPackageDir(options.evidenceRoot, startedAt);
  const { log, errors } = startLog(root);
  log(
    `START ${method} acquisition of ${target.namespace}/${target.pod}/${target.container} by ${options.operator.subject} as ${identity?.username ?? 'unknown'}${options.client.transport ? ` through ${options.client.transport.name}` : ''}`,
  );
  const writer = new EvidenceWriter({ root, method, log });
  const run: CollectionRun = { apiItems: [] };
  let failure: unknown;
  try {
    await collect(
      options,
      { target, method, root, nonce: randomBytes(12).toString('hex'), writer, log },
      run,
    );
  } catch (error) {
    // Nothing came back from the container: an unsealed shell of a package would only mislead.
    if (writer.items.length === 0) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
    failure = error;
    log(`ERROR ${describeError(error)}; what arrived is sealed`);
  }
  return await sealWhatArrived({
    options,
    target,
    method,
    identity,
    startedAt,
    id,
    root,
    run,
    errors,
    writer,
    log,
    failure,
  });
}

/** The acquisition log: every line timestamped; problems also kept for the custody record. */
function startLog(root: string): { log: (line: string) => void; errors: string[] } {
  const errors: string[] = [];
  writeFileSync(join(root, 'acquisition.log'), '', { mode: 0o600 });
  const log = (line: string) => {
    appendFileSync(join(root, 'acquisition.log'), `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    if (/^(ANOMALY|WARN|ERROR|UNAVAILABLE)/.test(line)) errors.push(line);
  };
  return { log, errors };
}

interface SealInput extends CustodyInput {
  readonly root: string;
  readonly log: (line: string) => void;
  /** What stopped the collection after something arrived: raised once the package is sealed. */
  readonly failure: unknown;
}

/** Manifest, optional upload, custody record and seal; then the failure, if any, naming the package. */
async function sealWhatArrived(input: SealInput): Promise<Acquisition> {
  const { options, target, id, root, log } = input;
  const items = [...input.run.apiItems, ...input.writer.items];
  log(`END ${items.length} items, ${input.writer.bytesReceived} bytes, ${input.errors.length} problems`);
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
  const custody = custodyRecord({ ...input, stored });
  const packageHash = sealPackage(root, custody);
  const sealed = { package: id, packageHash };
  const where = `${target.namespace}/${target.pod}/${target.container}`;
  if (input.failure)
    throw sealedFailure(
      input.failure,
      `acquisition of ${where} failed; package ${id} is sealed with what arrived in ${root}`,
      sealed,
    );
  if (uploadError)
    throw sealedFailure(uploadError, `package ${id} is sealed locally in ${root}, but not stored`, sealed);
  if (options.s3) await uploadPackageFiles(root, id, options.s3, sealFiles);
  return { id, root, packageHash, custody, items: items.length, anomalies: input.errors.length };
}

interface CollectionRun {
  apiItems: ManifestItem[];
  collector?: { profile: string; sha256: string };
  debugContainer?: { name: string; image: string };
}

interface CollectionContext {
  readonly target: Target;
  readonly method: MethodName;
  readonly root: string;
  readonly nonce: string;
  readonly writer: EvidenceWriter;
  readonly log: (line: string) => void;
}

/** API facts, then the collector; what it gathered is left in `run` even when a step throws. */
async function collect(
  options: AcquireOptions,
  context: CollectionContext,
  run: CollectionRun,
): Promise<void> {
  const { target, method, log } = context;
  options.onProgress?.('api', 0, 0);
  run.apiItems = await collectApiItems(options.client, context.root, target, log);
  const apiItems = run.apiItems.length;
  options.onProgress?.('api', 0, apiItems);
  let runIn = target.container;
  if (method === 'ephemeral') {
    run.debugContainer = await addEphemeralContainer(options, target, log);
    runIn = run.debugContainer.name;
  }
  const collector = buildCollector(
    options.profile,
    context.nonce,
    method === 'ephemeral' ? '/proc/1/root' : '',
  );
  run.collector = { profile: options.profile.name, sha256: collector.sha256 };
  log(`COLLECTOR profile ${options.profile.name}, sha256 ${collector.sha256}`);
  await runCollector({
    client: options.client,
    target: { namespace: target.namespace, pod: target.pod, container: runIn },
    script: collector.script,
    nonce: context.nonce,
    writer: context.writer,
    log,
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs,
    onProgress: options.onProgress
      ? (stage, bytes, items) => options.onProgress?.(stage, bytes, apiItems + items)
      : undefined,
  });
}

function sealedFailure(error: unknown, doing: string, sealed: Record<string, string>): AppError {
  const contextual = withContext(error, doing);
  return new AppError(contextual.code, contextual.message, {
    ...(contextual.fix ? { fix: contextual.fix } : {}),
    cause: error,
    details: { ...contextual.details, ...sealed },
  });
}

interface CustodyInput {
  readonly options: AcquireOptions;
  readonly target: Target;
  readonly method: MethodName;
  readonly identity: { username: string; groups: string[] } | undefined;
  readonly startedAt: Date;
  readonly id: string;
  readonly run: CollectionRun;
  readonly errors: readonly string[];
  readonly writer: EvidenceWriter;
  readonly stored?: { key: string; etag: string }[] | undefined;
}

function custodyRecord(input: CustodyInput): ClusterCustodyRecord {
  const { options, target, run } = input;
  return {
    packageId: input.id,
    operator: options.operator.subject,
    kubernetesIdentity: input.identity,
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
    method: input.method,
    ...(options.client.transport ? { transport: options.client.transport.name } : {}),
    ...(run.debugContainer ? { ephemeralContainer: run.debugContainer } : {}),
    gatehouseVersion: options.gatehouseVersion,
    collector: run.collector ?? { profile: options.profile.name, sha256: '' },
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    bytesReceived: input.writer.bytesReceived,
    errors: input.errors,
    partialItems: input.writer.items.filter((item) => item.status === 'partial').map((item) => item.source),
    ...(input.stored && options.s3
      ? {
          storage: {
            kind: 's3' as const,
            bucket: options.s3.bucket,
            prefix: options.s3.prefix ?? '',
            objects: input.stored,
          },
        }
      : {}),
  };
}

async function identityOf(client: KubeClient): Promise<{ username: string; groups: string[] } | undefined> {
  try {
    return await whoAmI(client);
  } catch {
    // Older clusters lack SelfSubjectReview; custody then records the identity as unknown.
    return undefined;
  }
}

function listUploadable(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [relative(root, join(dir, name))],
    );
  return walk(root).filter((path) => !(sealFiles as readonly string[]).includes(path));
}
