import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  type Checkpoint,
  type CheckpointSink,
  parseCheckpoint,
  readCheckpointFile,
} from '../../audit/index.js';
import { AppError, messageOf } from '../../errors.js';
import type { Store } from '../../store/index.js';

/** Where packages go in S3-compatible storage; credentials come from the AWS default chain. */
export interface S3Target {
  readonly bucket: string;
  readonly prefix?: string;
  readonly region?: string;
  /** For S3-compatible stores (MinIO, moto): path-style addressing is used. */
  readonly endpoint?: string;
}

export interface StoredObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

async function s3Client(target: S3Target) {
  // Loaded on use: the AWS SDK is large and most commands never need it.
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    region: target.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
  });
}

function keyOf(target: S3Target, packageId: string, path: string): string {
  return [target.prefix?.replace(/^\/+|\/+$/g, ''), packageId, path].filter(Boolean).join('/');
}

function listFiles(root: string, only?: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [relative(root, join(dir, name))],
    );
  const files = walk(root);
  return only ? files.filter((file) => only.includes(file)) : files;
}

/**
 * Uploads files of a package (multipart for large ones) and returns their keys and ETags, which
 * the custody record keeps. Fails with the cause and fix (bucket, credentials, endpoint).
 */
export async function uploadPackageFiles(
  root: string,
  packageId: string,
  target: S3Target,
  only?: readonly string[],
): Promise<StoredObject[]> {
  const client = await s3Client(target);
  const { Upload } = await import('@aws-sdk/lib-storage');
  const stored: StoredObject[] = [];
  try {
    for (const path of listFiles(root, only).sort()) {
      const key = keyOf(target, packageId, path);
      const upload = new Upload({
        client,
        params: { Bucket: target.bucket, Key: key, Body: createReadStream(join(root, path)) },
        partSize: 8 * 1024 * 1024,
        queueSize: 4,
      });
      const result = await upload.done();
      stored.push({
        key,
        etag: (result.ETag ?? '').replaceAll('"', ''),
        size: statSync(join(root, path)).size,
      });
    }
  } catch (error) {
    throw s3Error(error, target, 'uploading the evidence package');
  } finally {
    client.destroy();
  }
  return stored;
}

export interface RemoteProblem {
  readonly key: string;
  readonly problem: string;
}

/**
 * Downloads files from S3 and re-hashes them against what the package says they are: the
 * manifest items and the sealed metadata files (manifest, custody, log, package hash).
 */
export async function verifyRemote(
  files: readonly { readonly path: string; readonly sha256: string; readonly size: number }[],
  packageId: string,
  target: S3Target,
): Promise<RemoteProblem[]> {
  const client = await s3Client(target);
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const problems: RemoteProblem[] = [];
  try {
    for (const item of files) {
      const key = keyOf(target, packageId, item.path);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
          hash.update(chunk);
          size += chunk.length;
        }
        if (size !== item.size || hash.digest('hex') !== item.sha256)
          problems.push({ key, problem: 'modified (content differs from the manifest)' });
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') problems.push({ key, problem: 'missing' });
        else throw error;
      }
    }
  } catch (error) {
    throw s3Error(error, target, 'verifying the stored package');
  } finally {
    client.destroy();
  }
  return problems;
}

function s3Error(error: unknown, target: S3Target, doing: string): AppError {
  const name = (error as { name?: string }).name ?? '';
  const where = `s3://${target.bucket}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
  if (name === 'NoSuchBucket')
    return new AppError('not-found', `${doing}: bucket ${where} does not exist`, {
      fix: 'Create the bucket or fix --s3-bucket',
      cause: error,
    });
  if (
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'ExpiredToken'
  ) {
    return new AppError('auth.forbidden', `${doing}: ${where} refused the credentials (${name})`, {
      fix: 'Check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that they may s3:PutObject and s3:GetObject there',
      cause: error,
    });
  }
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo|connect/i.test(messageOf(error))) {
    return new AppError('cluster.unreachable', `${doing}: cannot reach ${where} (${messageOf(error)})`, {
      fix: 'Check --s3-endpoint and the network',
      cause: error,
    });
  }
  return new AppError('store.failed', `${doing} in ${where} failed: ${name || messageOf(error)}`, {
    fix: 'Rerun with --debug for details',
    cause: error,
  });
}

/**
 * The audit chain's checkpoint in the evidence bucket (`<prefix>/audit-checkpoint.json`): a copy
 * of the chain head that survives the loss or rewriting of the data directory. Never moved back.
 */
export function s3Checkpoints(target: S3Target): CheckpointSink {
  const key = [target.prefix?.replace(/^\/+|\/+$/g, ''), 'audit-checkpoint.json'].filter(Boolean).join('/');
  const read = async (): Promise<Checkpoint | undefined> => {
    const client = await s3Client(target);
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
      return parseCheckpoint(await object.Body!.transformToString());
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw s3Error(error, target, 'reading the audit checkpoint');
    } finally {
      client.destroy();
    }
  };
  const write = async (checkpoint: Checkpoint): Promise<void> => {
    const current = await read();
    if (current && current.seq >= checkpoint.seq) return;
    const client = await s3Client(target);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const body = `${JSON.stringify(checkpoint)}\n`;
      await client.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body }));
    } catch (error) {
      throw s3Error(error, target, 'writing the audit checkpoint');
    } finally {
      client.destroy();
    }
  };
  return { name: `s3://${target.bucket}/${key}`, read, write };
}

/**
 * Copies the data directory's audit checkpoint to the evidence bucket (never moving it back), so
 * the evidence and the checkpoint of the audit entries that record it sit side by side.
 */
export async function pushCheckpoint(store: Store, target: S3Target): Promise<string> {
  const sink = s3Checkpoints(target);
  const checkpoint = readCheckpointFile(store.files.auditCheckpoint);
  if (checkpoint) await sink.write(checkpoint);
  return checkpoint
    ? `audit checkpoint (entry ${checkpoint.seq}) copied to ${sink.name}`
    : 'no audit checkpoint yet';
}
