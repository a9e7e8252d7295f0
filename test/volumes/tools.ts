import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bbolt module the oracle and the generator are built from (test/volumes/go/go.mod). */
export const bboltVersion = '1.4.3';

const goModule = join(dirname(fileURLToPath(import.meta.url)), 'go');

/** `$XDG_CACHE_HOME/gatehouse/volumes/bin-bbolt<version>` (default ~/.cache/…), like testcluster's cache. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'gatehouse', 'volumes', `bin-bbolt${bboltVersion}`);
}

export interface VolumeTools {
  /** go.etcd.io/bbolt/cmd/bbolt: the reference reader used as the oracle. */
  readonly bbolt: string;
  /** test/volumes/go/cmd/bbolt-fixture: writes databases of known shapes. */
  readonly fixture: string;
}

/**
 * Builds the bbolt command and the fixture generator from the Go module proxy unless cached.
 * The generator is rebuilt every time (a second with Go's build cache) so edits take effect.
 */
export function ensureVolumeTools(dir = toolsDir()): VolumeTools {
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' };
  const bbolt = join(dir, 'bbolt');
  if (!existsSync(bbolt)) {
    execFileSync('go', ['build', '-trimpath', '-o', `${bbolt}.tmp`, 'go.etcd.io/bbolt/cmd/bbolt'], {
      cwd: goModule,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    renameSync(`${bbolt}.tmp`, bbolt);
  }
  const fixture = join(dir, 'bbolt-fixture');
  execFileSync('go', ['build', '-trimpath', '-o', fixture, './cmd/bbolt-fixture'], {
    cwd: goModule,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { bbolt, fixture };
}

/** Runs the bbolt command; its stdout lines (without the final empty one). */
export function bboltLines(tools: VolumeTools, args: readonly string[]): string[] {
  const output = execFileSync(tools.bbolt, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return output.split('\n').slice(0, -1);
}
