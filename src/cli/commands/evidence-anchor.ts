import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appendAudit, keyIdOf, localPublicKey, readPublicKey, trustedKeys } from '../../audit/index.js';
import { type Acquisition, type Anchor, packageAnchors, signSealedPackage } from '../../forensics/index.js';
import type { Store } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { openConfiguredStore } from '../open-store.js';

export type { Anchor } from '../../forensics/index.js';

export interface AnchorFlags {
  readonly expectedHash?: string;
  readonly publicKey?: string;
}

/**
 * The signed records of a package hash that this command can reach: the store's audit log when
 * there is a local store, the signature file with the store's key or the one given.
 */
export async function anchorsOf(
  context: CommandContext,
  root: string,
  id: string,
  packageHash: string,
  flags: AnchorFlags,
): Promise<{ anchors: Anchor[]; notes: string[] }> {
  const given = flags.publicKey ? readPublicKey(flags.publicKey) : undefined;
  const store = hasLocalStore(context) ? await openConfiguredStore(context) : undefined;
  try {
    const anchor = given ?? (store ? localPublicKey(store) : undefined);
    const keys = anchor
      ? store
        ? await trustedKeys(store, anchor)
        : new Map([[keyIdOf(anchor), anchor]])
      : undefined;
    return await packageAnchors({ root, id, packageHash, keys, store, expectedHash: flags.expectedHash });
  } finally {
    await store?.close();
  }
}

function hasLocalStore(context: CommandContext): boolean {
  return context.config.databaseUrl !== undefined || existsSync(join(context.config.dataDir, 'gatehouse.db'));
}

/**
 * Records a sealed package's hash where rewriting the package cannot reach it: a signed audit
 * entry, and a signature file beside the package that the public key alone checks.
 */
export async function recordSealed(
  store: Store,
  event: { readonly actor: string; readonly action: string; readonly target: string },
  acquisition: Pick<Acquisition, 'id' | 'root' | 'packageHash' | 'custody'>,
): Promise<void> {
  const details = {
    package: acquisition.id,
    packageHash: acquisition.packageHash,
    method: acquisition.custody.method,
  };
  await appendAudit(store, { ...event, outcome: 'succeeded', details });
  signSealedPackage(store, acquisition);
}
