import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { StepError } from './run.js';

/** One entry of a container's root filesystem. */
export type FileSpec =
  | {
      readonly kind: 'file';
      readonly content: string | Buffer;
      readonly mode?: number;
      readonly mtime?: Date;
    }
  | { readonly kind: 'copy'; readonly from: string; readonly mode?: number; readonly mtime?: Date }
  | { readonly kind: 'dir'; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly target: string };

export type Tree = Readonly<Record<string, FileSpec>>;

export const file = (content: string | Buffer, options: { mode?: number; mtime?: Date } = {}): FileSpec => ({
  kind: 'file',
  content,
  ...options,
});

const busyboxPath = '/bin/busybox';

/** The applets of Debian's busybox-static, as paths relative to a root (`usr/bin/awk`). */
export function busyboxApplets(): string[] {
  if (!existsSync(busyboxPath)) {
    throw new StepError(
      "building pod filesystems: /bin/busybox is missing. Install Debian's busybox-static (`apt-get install busybox-static`)",
    );
  }
  return execFileSync(busyboxPath, ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.length > 0 && !line.endsWith('/busybox'));
}

/** The base of a small Linux image: busybox and its applets as relative links. */
export function busyboxBase(applets: readonly string[]): Tree {
  const tree: Record<string, FileSpec> = { 'bin/busybox': { kind: 'copy', from: busyboxPath, mode: 0o755 } };
  for (const applet of applets) {
    tree[applet] = { kind: 'symlink', target: relative(dirname(`/${applet}`), '/bin/busybox') };
  }
  return tree;
}

/** Directories every container root has, with the modes a runtime gives them. */
export const skeleton: Tree = {
  proc: { kind: 'dir', mode: 0o555 },
  sys: { kind: 'dir', mode: 0o555 },
  dev: { kind: 'dir', mode: 0o755 },
  'dev/shm': { kind: 'dir', mode: 0o1777 },
  tmp: { kind: 'dir', mode: 0o1777 },
  'var/tmp': { kind: 'dir', mode: 0o1777 },
  etc: { kind: 'dir', mode: 0o755 },
  root: { kind: 'dir', mode: 0o700 },
};

/** Writes a tree under `root`. Device nodes are made with mknod, as a runtime would. */
export function writeTree(root: string, tree: Tree): void {
  mkdirSync(root, { recursive: true });
  const entries = Object.entries(tree).sort(([a], [b]) => a.localeCompare(b));
  for (const [path, spec] of entries) writeEntry(join(root, path), spec);
  // mtimes last: writing children would otherwise move a directory's mtime.
  for (const [path, spec] of entries) {
    if ((spec.kind === 'file' || spec.kind === 'copy') && spec.mtime)
      utimesSync(join(root, path), spec.mtime, spec.mtime);
  }
  makeDevices(join(root, 'dev'));
}

function writeEntry(target: string, spec: FileSpec): void {
  mkdirSync(dirname(target), { recursive: true });
  switch (spec.kind) {
    case 'dir':
      mkdirSync(target, { recursive: true });
      if (spec.mode !== undefined) chmodSync(target, spec.mode);
      return;
    case 'file':
      writeFileSync(target, spec.content);
      chmodSync(target, spec.mode ?? 0o644);
      return;
    case 'copy':
      copyFileSync(spec.from, target);
      chmodSync(target, spec.mode ?? 0o755);
      return;
    case 'symlink':
      if (!existsSync(target)) symlinkSync(spec.target, target);
      return;
    default: {
      const unreachable: never = spec;
      throw new Error(`unknown file spec ${JSON.stringify(unreachable)}`);
    }
  }
}

const devices: readonly (readonly [string, number, number])[] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['random', 1, 8],
  ['urandom', 1, 9],
];

function makeDevices(dev: string): void {
  mkdirSync(dev, { recursive: true });
  for (const [name, major, minor] of devices) {
    const path = join(dev, name);
    if (!existsSync(path)) execFileSync('mknod', ['-m', '666', path, 'c', String(major), String(minor)]);
  }
}
