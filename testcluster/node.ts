import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BinaryName } from './build.js';

/** Command names that may be exec'd besides busybox's applets (images with other tools). */
const extraCommands = ['bash', 'python', 'python3', 'perl', 'php', 'node', 'java', 'nsenter', 'busybox'];

export interface NodeLayout {
  /** The kwok controller wrapper to give kwokctl. */
  readonly kwokWrapper: string;
  /** Private copies of nsenter and unshare: inside kwok's namespace /usr/bin is replaced. */
  readonly nsenter: string;
  readonly unshare: string;
}

/**
 * Prepares the "node" side of exec: kwok runs in its own mount namespace where /usr/bin,
 * /usr/sbin, /usr/local/bin and /usr/local/sbin hold only links to gatehouse-exec, so every
 * command kubectl exec asks for (by name or absolute path) enters the target container.
 */
export function prepareNode(
  dir: string,
  binaries: Record<BinaryName, string>,
  applets: readonly string[],
): NodeLayout {
  const shadow = join(dir, 'shadow-bin');
  rmSync(shadow, { recursive: true, force: true });
  mkdirSync(shadow, { recursive: true });
  const names = new Set([...applets.map((applet) => basename(applet)), ...extraCommands]);
  for (const name of names) symlinkSync(binaries['gatehouse-exec'], join(shadow, name));
  const nsenter = join(dir, 'nsenter');
  copyFileSync('/usr/bin/nsenter', nsenter);
  const unshare = join(dir, 'unshare');
  copyFileSync('/usr/bin/unshare', unshare);
  const kwokWrapper = join(dir, 'kwok-in-node-namespace');
  // /usr/bin is replaced last: until then `mount` itself must still resolve.
  const mounts = ['/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/usr/bin']
    .map((target) => `/usr/bin/mount --bind '${shadow}' ${target} || exit 1`)
    .join('; ');
  writeFileSync(
    kwokWrapper,
    `#!/bin/bash\n# Starts kwok in a private mount namespace whose command directories all lead to gatehouse-exec.\nexec /usr/bin/unshare --mount --propagation private /bin/bash -c "${mounts}; exec '${binaries.kwok}' \\"\\$@\\"" kwok "$@"\n`,
    { mode: 0o755 },
  );
  return { kwokWrapper, nsenter, unshare };
}
