import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every entry under a folder, as paths relative to it, sorted (directories too). */
function entriesOf(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * What a package's files are on disk without reading them: each entry's path, size, inode, mode
 * and modification and change times (nanoseconds). Writing to a file, replacing it, adding or
 * removing one changes it; the change time cannot be set back without changing the machine's
 * clock. While it holds, a full verification made under it still holds, so a page need not
 * re-hash gigabytes to know it shows what was verified. The Verify button always re-hashes.
 */
export function fingerprintOf(root: string): string {
  const hash = createHash('sha256');
  for (const path of entriesOf(root)) {
    const stat = statSync(join(root, path), { bigint: true });
    hash.update(`${path}\0${stat.size}\0${stat.ino}\0${stat.mode}\0${stat.mtimeNs}\0${stat.ctimeNs}\n`);
  }
  return hash.digest('hex');
}
