import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../testcluster/run.js';
import { cached, imageCache } from './cache.js';

/** The Debian release of node:24-bookworm-slim, the Dockerfile's runtime base. */
export const debianSuite = 'bookworm';

/** The first Debian mirror apt is configured with (deb822 or one-line sources), else Debian's own. */
export function aptMirror(): string {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const name of readdirSync('/etc/apt/sources.list.d'))
      files.push(join('/etc/apt/sources.list.d', name));
  } catch {
    // No sources.list.d: the main file alone decides.
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const match =
      /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ??
      /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s/m.exec(text);
    if (match?.[1]) return match[1];
  }
  return 'http://deb.debian.org/debian';
}

/**
 * Debian's minimal base (`debootstrap --variant=minbase`), cached per suite: the layer the slim
 * Node image is built on. Cold: about 2 minutes; package downloads and lists are dropped after.
 */
export function ensureDebianBase(cache = imageCache()): Promise<string> {
  const dir = join(cache, `debian-${debianSuite}-minbase`);
  return cached(dir, `Debian ${debianSuite} minbase (debootstrap)`, async (staging) => {
    await run('debootstrap', ['--variant=minbase', debianSuite, staging, aptMirror()], {
      step: `debootstrap --variant=minbase ${debianSuite} (install it with apt-get install debootstrap)`,
    });
    for (const path of ['var/cache/apt/archives', 'var/lib/apt/lists'])
      for (const name of readdirSync(join(staging, path)))
        if (name !== 'partial' && name !== 'lock')
          rmSync(join(staging, path, name), { recursive: true, force: true });
  });
}
