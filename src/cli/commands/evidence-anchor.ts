import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Attestation,
  appendAudit,
  attestationHolds,
  entryHolds,
  keyIdOf,
  listAudit,
  localPublicKey,
  parseAttestation,
  readPublicKey,
  trustedKeys,
} from '../../audit/index.js';
import { AppError, messageOf } from '../../errors.js';
import { type Acquisition, packageSubject, signatureFile, signSealedPackage } from '../../forensics/index.js';
import type { Store } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { openConfiguredStore } from '../open-store.js';

/** One independent record of what the package hash must be, and whether the package matches it. */
export interface Anchor {
  readonly kind: 'audit-entry' | 'signature-file' | 'expected-hash';
  readonly ok: boolean;
  readonly detail: string;
}

export interface AnchorFlags {
  readonly expectedHash?: string;
  readonly publicKey?: string;
}

/**
 * Checks a package hash against every signed record of it that can be reached: the audit entry
 * of its acquisition (in this store), the signature file beside it, and a hash given by hand.
 * The package's own files prove only that they agree with each other; these prove they are the
 * ones sealed.
 */
export async function anchorsOf(
  context: CommandContext,
  root: string,
  id: string,
  packageHash: string,
  flags: AnchorFlags,
): Promise<{ anchors: Anchor[]; notes: string[] }> {
  const anchors: Anchor[] = [];
  const notes: string[] = [];
  if (flags.expectedHash) anchors.push(expectedHash(flags.expectedHash, packageHash));
  const given = flags.publicKey ? readPublicKey(flags.publicKey) : undefined;
  const store = hasLocalStore(context) ? await openConfiguredStore(context) : undefined;
  try {
    const anchor = given ?? (store ? localPublicKey(store) : undefined);
    const keys = anchor
      ? store
        ? await trustedKeys(store, anchor)
        : new Map([[keyIdOf(anchor), anchor]])
      : undefined;
    const signature = readSignature(root);
    if (signature && keys) anchors.push(signatureAnchor(signature, id, packageHash, keys));
    else if (signature) notes.push(`${signatureFile} was not checked: no public key (give --public-key)`);
    if (store && keys) anchors.push(...(await auditAnchors(store, id, packageHash, keys)));
  } finally {
    await store?.close();
  }
  if (anchors.length === 0)
    notes.push(
      'only self-consistency could be checked: no signed record of the package hash was found (no audit entry here, no checkable signature file, no --expected-hash), so a package rewritten as a whole would pass',
    );
  return { anchors, notes };
}

function hasLocalStore(context: CommandContext): boolean {
  return context.config.databaseUrl !== undefined || existsSync(join(context.config.dataDir, 'gatehouse.db'));
}

function expectedHash(expected: string, actual: string): Anchor {
  return expected.toLowerCase() === actual
    ? { kind: 'expected-hash', ok: true, detail: 'the package hash is the one given' }
    : {
        kind: 'expected-hash',
        ok: false,
        detail: `the package hash is ${actual}, not the ${expected} given`,
      };
}

function readSignature(root: string): Attestation | undefined {
  const file = join(root, signatureFile);
  if (!existsSync(file)) return undefined;
  try {
    return parseAttestation(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('input.invalid', `${file} is not a signature file: ${messageOf(error)}`, {
      fix: 'The package was altered; check it against the audit entry or the hash recorded at seal time',
      cause: error,
    });
  }
}

function signatureAnchor(
  signature: Attestation,
  id: string,
  packageHash: string,
  keys: ReadonlyMap<string, KeyObject>,
): Anchor {
  const kind = 'signature-file';
  if (!attestationHolds(signature, keys))
    return { kind, ok: false, detail: `${signatureFile} is not signed by a trusted key (forged or edited)` };
  if (signature.subject !== packageSubject(id))
    return {
      kind,
      ok: false,
      detail: `${signatureFile} was signed for ${signature.subject}, not this package`,
    };
  if (signature.sha256 !== packageHash)
    return {
      kind,
      ok: false,
      detail: `the package hash differs from the one signed at seal time (${signature.sha256}): the package was rewritten`,
    };
  return { kind, ok: true, detail: `${signatureFile}, signed by key ${signature.keyId}, records this hash` };
}

async function auditAnchors(
  store: Store,
  id: string,
  packageHash: string,
  keys: ReadonlyMap<string, KeyObject>,
): Promise<Anchor[]> {
  const sealed = (await listAudit(store, { action: 'forensics.acquire' })).filter(
    (event) => event.outcome === 'succeeded' && event.details.package === id,
  );
  return sealed.map((event): Anchor => {
    const kind = 'audit-entry';
    if (!entryHolds(event, keys))
      return {
        kind,
        ok: false,
        detail: `audit entry ${event.seq} is not intact or not signed by a trusted key`,
      };
    if (event.details.packageHash !== packageHash)
      return {
        kind,
        ok: false,
        detail: `the package hash differs from the one in audit entry ${event.seq} (${String(event.details.packageHash)}): the package was rewritten`,
      };
    return {
      kind,
      ok: true,
      detail: `audit entry ${event.seq}, signed by key ${event.keyId}, records this hash`,
    };
  });
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
