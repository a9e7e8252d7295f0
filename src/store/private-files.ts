import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { AppError } from '../errors.js';

/** Group and other bits: none may be set on what holds the store, its key and checkpoints. */
const looseBits = 0o077;

/**
 * Makes the data directory private (0700) whoever created it: a directory made earlier for
 * `config.yaml` by a shell with umask 022 is 0755, and everything created inside it would be
 * readable by every local user. Returns one line per permission it had to tighten.
 */
export function securePrivateDir(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A sticky directory is shared by design (/tmp): making it private would break every other user.
  if (statSync(dir).mode & 0o1000)
    throw new AppError('config.invalid', `the data directory ${dir} is a shared (sticky) directory`, {
      fix: 'Point GATEHOUSE_HOME at a directory of its own, e.g. ~/.gatehouse',
    });
  return tighten(dir, 0o700);
}

/**
 * Creates a file as 0600 if it does not exist, and tightens it if it does. SQLite gives its
 * `-wal` and `-shm` files the mode of the database file, so securing the database first covers them.
 */
export function securePrivateFile(file: string): string[] {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  return tighten(file, 0o600);
}

/** Tightens an existing file (or does nothing if it is absent). */
export function tightenIfPresent(file: string): string[] {
  return existsSync(file) ? tighten(file, 0o600) : [];
}

function tighten(path: string, mode: number): string[] {
  const current = statSync(path).mode & 0o777;
  if ((current & looseBits) === 0) return [];
  try {
    chmodSync(path, mode);
  } catch (error) {
    // Not ours to change (a volume owned by root with an fsGroup): say so rather than refuse to start.
    if ((error as { code?: string }).code !== 'EPERM') throw error;
    return [
      `${path} is mode ${octal(current)}, readable or writable by others, and cannot be changed by this user: set it to ${octal(mode)}`,
    ];
  }
  return [`${path} was mode ${octal(current)} (readable or writable by others); set to ${octal(mode)}`];
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');
