import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../testcluster/run.js';
import { cached, imageCache } from './cache.js';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where the Dockerfile puts Gatehouse, and the user it runs as. */
export const installDir = 'opt/gatehouse';
export const user = { name: 'gatehouse', uid: 10001, gid: 10001, home: '/var/lib/gatehouse' } as const;

/** The Dockerfile's build-stage RUN line, word for word: the image test checks they are the same. */
export const dependencyCommands = [
  ['npm', 'ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
  ['npm', 'rebuild', 'better-sqlite3'],
] as const;

/**
 * The Dockerfile's build stage: production dependencies from the lockfile (`npm ci --omit=dev`,
 * better-sqlite3 compiled against this Node's headers), cached by the lockfile's hash.
 */
export async function ensureDependencyLayer(cache = imageCache()): Promise<string> {
  const lock = readFileSync(join(repositoryRoot, 'package-lock.json'));
  const manifest = readFileSync(join(repositoryRoot, 'package.json'));
  const key = createHash('sha256').update(lock).update(manifest).digest('hex').slice(0, 16);
  return cached(
    join(cache, `deps-${key}`),
    'the production dependencies (npm ci --omit=dev)',
    async (staging) => {
      const target = join(staging, installDir);
      mkdirSync(target, { recursive: true });
      copyFileSync(join(repositoryRoot, 'package.json'), join(target, 'package.json'));
      copyFileSync(join(repositoryRoot, 'package-lock.json'), join(target, 'package-lock.json'));
      const env = {
        ...process.env,
        npm_config_nodedir: process.env.npm_config_nodedir ?? dirname(dirname(process.execPath)),
      };
      const [install, rebuild] = dependencyCommands;
      await run('npm', install.slice(1), {
        cwd: target,
        env,
        step: 'npm ci --omit=dev for the image',
      });
      await run('npm', rebuild.slice(1), {
        cwd: target,
        env,
        step: 'building better-sqlite3 for the image',
      });
    },
  );
}

/** `npm pack` of this repository (runs the bundle through `prepare`): the tarball's path. */
export async function packGatehouse(into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  await run('npm', ['pack', '--silent', '--pack-destination', into], {
    cwd: repositoryRoot,
    step: 'npm pack of Gatehouse',
  });
  const tarball = readdirSync(into).find((name) => /^gatehouse-.*\.tgz$/.test(name));
  if (!tarball) throw new Error(`npm pack left no gatehouse-*.tgz in ${into}`);
  return join(into, tarball);
}

/**
 * The Dockerfile's last layer: the packed CLI under /opt/gatehouse, `gatehouse` on the PATH, the
 * non-root user in /etc/passwd and its private home. `baseEtc` is the Debian base's /etc.
 */
export async function gatehouseLayer(dir: string, tarball: string, baseEtc: string): Promise<string> {
  const target = join(dir, installDir);
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', target], {
    step: 'unpacking the Gatehouse tarball',
  });
  mkdirSync(join(dir, 'usr', 'local', 'bin'), { recursive: true });
  symlinkSync(`/${installDir}/bin/gatehouse.js`, join(dir, 'usr', 'local', 'bin', 'gatehouse'));
  mkdirSync(join(dir, 'etc'), { recursive: true });
  const passwd = readFileSync(join(baseEtc, 'passwd'), 'utf8');
  const group = readFileSync(join(baseEtc, 'group'), 'utf8');
  writeFileSync(
    join(dir, 'etc', 'passwd'),
    `${passwd}${user.name}:x:${user.uid}:${user.gid}::${user.home}:/usr/sbin/nologin\n`,
  );
  writeFileSync(join(dir, 'etc', 'group'), `${group}${user.name}:x:${user.gid}:\n`);
  // Parents keep 0755 (overlayfs shows the top layer's mode for /var and /var/lib); only the home is private.
  const home = join(dir, user.home.slice(1));
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o700);
  chownSync(home, user.uid, user.gid);
  return dir;
}
