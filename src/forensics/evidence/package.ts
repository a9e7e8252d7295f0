import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { AppError } from '../../errors.js';
import type { CustodyRecord, ManifestItem } from './types.js';

export const metadataFiles = ['manifest.json', 'custody.json', 'acquisition.log'] as const;
/** Written after the seal: everything else can be uploaded before the custody record is final. */
export const sealFiles = ['custody.json', 'acquisition.log', 'package.sha256'] as const;
const hashFile = 'package.sha256';
/** The package hash signed with the audit key, written beside the package once it is sealed. */
export const signatureFile = 'package.sig';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A new, empty package directory with a sortable id (`20261122T140501Z-a1b2c3d4`). */
export function createPackageDir(evidenceRoot: string, now = new Date()): { id: string; root: string } {
  const id = `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}`;
  const root = join(evidenceRoot, id);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return { id, root };
}

/** The package hash covers the three metadata files; the manifest covers every collected byte. */
function packageDigest(root: string): { lines: string; digest: string } {
  const lines = metadataFiles.map((name) => `${sha256(readFileSync(join(root, name)))}  ${name}\n`).join('');
  return { lines, digest: sha256(lines) };
}

/** Writes the manifest: every collected item with its hash (before anything is uploaded). */
export function writeManifest(root: string, items: readonly ManifestItem[]): void {
  const sorted = [...items].sort((a, b) => (a.path || a.source).localeCompare(b.path || b.source));
  writeFileSync(join(root, 'manifest.json'), `${JSON.stringify({ version: 1, items: sorted }, null, 2)}\n`, {
    mode: 0o600,
  });
}

/** Writes the custody record and seals the package; returns the package hash. */
export function sealPackage(root: string, custody: CustodyRecord): string {
  writeFileSync(join(root, 'custody.json'), `${JSON.stringify(custody, null, 2)}\n`, { mode: 0o600 });
  const { lines, digest } = packageDigest(root);
  writeFileSync(join(root, hashFile), `${lines}${digest}  package\n`, { mode: 0o600 });
  return digest;
}

export interface VerifyProblem {
  readonly path: string;
  readonly problem: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly packageHash: string;
  readonly checked: number;
  readonly problems: readonly VerifyProblem[];
}

/** Re-hashes every file of a package and names each change: modified, missing or added. */
export function verifyPackage(root: string): VerifyReport {
  if (!existsSync(join(root, hashFile))) {
    throw new AppError('not-found', `${root} is not a sealed evidence package (no ${hashFile})`, {
      fix: 'Give a package id from `gatehouse evidence list`',
    });
  }
  const problems: VerifyProblem[] = [];
  const recorded = readFileSync(join(root, hashFile), 'utf8');
  const { lines, digest } = packageDigest(root);
  const recordedDigest = /^([0-9a-f]{64}) {2}package$/m.exec(recorded)?.[1] ?? '';
  for (const name of metadataFiles) {
    const expected = new RegExp(`^([0-9a-f]{64}) {2}${name.replace('.', '\\.')}$`, 'm').exec(recorded)?.[1];
    const actual = new RegExp(`^([0-9a-f]{64}) {2}${name.replace('.', '\\.')}$`, 'm').exec(lines)?.[1];
    if (expected !== actual)
      problems.push({ path: name, problem: 'modified (its hash differs from the sealed one)' });
  }
  if (
    recordedDigest !== sha256(recorded.split('\n').slice(0, metadataFiles.length).join('\n').concat('\n'))
  ) {
    problems.push({ path: hashFile, problem: 'the package hash does not match its own lines (edited)' });
  }
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { items: ManifestItem[] };
  const listed = new Set<string>();
  let checked = 0;
  for (const item of manifest.items) {
    if (!item.path) continue;
    listed.add(item.path);
    const file = join(root, item.path);
    if (!existsSync(file)) {
      problems.push({ path: item.path, problem: 'missing' });
      continue;
    }
    checked++;
    const data = digestOfFile(file);
    if (data.size !== item.size || data.sha256 !== item.sha256)
      problems.push({ path: item.path, problem: 'modified (content differs from the manifest)' });
  }
  for (const file of walk(root)) {
    const path = relative(root, file);
    if (
      !listed.has(path) &&
      !(metadataFiles as readonly string[]).includes(path) &&
      path !== hashFile &&
      path !== signatureFile
    )
      problems.push({ path, problem: 'added (not in the manifest)' });
  }
  return {
    ok: problems.length === 0,
    packageHash: digest === recordedDigest ? digest : recordedDigest,
    checked,
    problems,
  };
}

/** A file's size and SHA-256, read a megabyte at a time: a package's files can be gigabytes. */
function digestOfFile(path: string): { size: number; sha256: string } {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1024 * 1024);
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      hash.update(chunk.subarray(0, read));
      size += read;
    }
  } finally {
    closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
