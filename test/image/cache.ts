import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { elapsed, progress } from '../../testcluster/run.js';

/** `$XDG_CACHE_HOME/gatehouse/image` (default ~/.cache/…): the image's cached layers. */
export function imageCache(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gatehouse', 'image');
}

/**
 * A cached directory: made once under a staging name by `make`, then renamed into place, so an
 * interrupted build never passes for a finished one.
 */
export async function cached(
  dir: string,
  label: string,
  make: (staging: string) => Promise<void>,
): Promise<string> {
  if (existsSync(dir)) return dir;
  const staging = `${dir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const start = Date.now();
  progress(`image: making ${label}`);
  await make(staging);
  renameSync(staging, dir);
  progress(`image: made ${label} in ${elapsed(start)}`);
  return dir;
}
