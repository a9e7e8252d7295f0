import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { AppError, messageOf } from '../errors.js';

/** One file to read, as found under the path the user gave. */
export interface LogFile {
  readonly path: string;
  readonly gzip: boolean;
  readonly size: number;
}

/**
 * The files under `path`: the file itself, or every regular file of a directory (the apiserver's
 * `audit.log` beside its rotated `audit-TIMESTAMP.log[.gz]`), oldest first.
 */
export async function listLogFiles(path: string): Promise<LogFile[]> {
  const found = await statOrFail(path);
  if (found.isFile()) return [await describe(path, found).catch((error: unknown) => unreadable(path, error))];
  if (!found.isDirectory())
    throw new AppError('input.invalid', `${path} is neither a file nor a directory`, {
      fix: 'Give an audit log file or the directory that holds it and its rotated files',
    });
  const entries = await readdir(path, { withFileTypes: true });
  const files: { file: LogFile; modified: number }[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) continue;
    // An unreadable file is listed anyway: reading it fails, and the ingest reports that file.
    const file = await describe(full, info).catch(() => ({ path: full, gzip: false, size: info.size }));
    files.push({ file, modified: info.mtimeMs });
  }
  files.sort((a, b) => a.modified - b.modified || a.file.path.localeCompare(b.file.path));
  return files.map((entry) => entry.file);
}

async function statOrFail(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    return unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): never {
  throw new AppError('input.invalid', `cannot read ${path}: ${messageOf(error)}`, {
    fix: 'Give the path of an audit log file or directory that exists and that you may read',
    cause: error,
  });
}

async function describe(path: string, info: Stats): Promise<LogFile> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return { path, gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b, size: info.size };
  } finally {
    await handle.close();
  }
}

/**
 * The file's content from `offset` (of the uncompressed bytes), in chunks: gzip is inflated as it
 * streams, and for gzip the bytes before `offset` are inflated and dropped.
 */
export async function* readLog(file: LogFile, offset = 0): AsyncGenerator<Buffer> {
  if (!file.gzip) {
    if (offset >= file.size) return;
    yield* createReadStream(file.path, { start: offset, highWaterMark: 1 << 18 }) as AsyncIterable<Buffer>;
    return;
  }
  let skip = offset;
  const inflated = createReadStream(file.path, { highWaterMark: 1 << 20 }).pipe(
    createGunzip({ chunkSize: 1 << 18 }),
  );
  for await (const chunk of inflated as AsyncIterable<Buffer>) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    yield skip === 0 ? chunk : chunk.subarray(skip);
    skip = 0;
  }
}

const fingerprintBytes = 64 << 10;

/**
 * Names a log by its first line (which carries an auditID and a timestamp), not by its path, so a
 * file renamed by rotation, or gzipped, is known as the one already read. Undefined while the
 * file has no complete line.
 */
export async function fingerprintOf(file: LogFile): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of readLog(file)) {
    const newline = chunk.indexOf(10);
    if (newline !== -1 && length + newline < fingerprintBytes) {
      parts.push(chunk.subarray(0, newline + 1));
      return hash(parts);
    }
    parts.push(chunk);
    length += chunk.length;
    if (length >= fingerprintBytes) return hash([Buffer.concat(parts).subarray(0, fingerprintBytes)]);
  }
  return undefined;
}

function hash(parts: readonly Buffer[]): string {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return digest.digest('hex');
}
