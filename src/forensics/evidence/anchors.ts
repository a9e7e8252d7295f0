import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Attestation,
  attestationHolds,
  entryHolds,
  listAudit,
  parseAttestation,
} from '../../audit/index.js';
import { AppError, messageOf } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { packageSubject } from './attestation.js';
import { signatureFile } from './package.js';

/** One independent record of what the package hash must be, and whether the package matches it. */
export interface Anchor {
  readonly kind: 'audit-entry' | 'signature-file' | 'expected-hash';
  readonly ok: boolean;
  readonly detail: string;
}

export interface AnchorSources {
  /** The folder of the package (for its signature file). */
  readonly root: string;
  readonly id: string;
  /** The hash the package's files give now. */
  readonly packageHash: string;
  /** Keys trusted to have signed; without them neither the signature nor the audit entries are checked. */
  readonly keys?: ReadonlyMap<string, KeyObject>;
  /** The store whose audit log recorded the acquisition, when it can be reached. */
  readonly store?: Store;
  /** A hash recorded by hand when the package was handed over. */
  readonly expectedHash?: string;
}

/**
 * Checks a package hash against every signed record of it that can be reached: the audit entry
 * of its acquisition, the signature file beside it, and a hash given by hand. The package's own
 * files prove only that they agree with each other; these prove they are the ones sealed.
 * `notes` say what could not be checked, so "self-consistent only" is never mistaken for proof.
 */
export async function packageAnchors(
  sources: AnchorSources,
): Promise<{ anchors: Anchor[]; notes: string[] }> {
  const anchors: Anchor[] = [];
  const notes: string[] = [];
  if (sources.expectedHash) anchors.push(expectedHash(sources.expectedHash, sources.packageHash));
  const signature = readSignature(sources.root);
  if (signature && sources.keys)
    anchors.push(signatureAnchor(signature, sources.id, sources.packageHash, sources.keys));
  else if (signature) notes.push(`${signatureFile} was not checked: no public key (give --public-key)`);
  if (sources.store && sources.keys)
    anchors.push(...(await auditAnchors(sources.store, sources.id, sources.packageHash, sources.keys)));
  if (anchors.length === 0)
    notes.push(
      'only self-consistency could be checked: no signed record of the package hash was found (no audit entry here, no checkable signature file, no expected hash), so a package rewritten as a whole would pass',
    );
  return { anchors, notes };
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
  // A failed acquisition that sealed what arrived records the package hash in its failed entry.
  const sealed = (await listAudit(store, { action: 'forensics.acquire' })).filter(
    (event) =>
      event.details.package === id &&
      typeof event.details.packageHash === 'string' &&
      (event.outcome === 'succeeded' || event.outcome === 'failed'),
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
    const partial = event.outcome === 'failed' ? ' (the acquisition failed; sealed with what arrived)' : '';
    return {
      kind,
      ok: true,
      detail: `audit entry ${event.seq}${partial}, signed by key ${event.keyId}, records this hash`,
    };
  });
}
