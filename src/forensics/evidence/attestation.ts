import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attest } from '../../audit/index.js';
import type { Store } from '../../store/index.js';
import { signatureFile } from './package.js';

/** What the attestation of an evidence package names as its subject. */
export const packageSubject = (id: string): string => `evidence-package/${id}`;

/**
 * Writes package.sig beside a sealed package: the package hash signed with the audit key, so the
 * package can be checked where the store cannot be reached. Written after the succeeded entry.
 */
export function signSealedPackage(
  store: Store,
  acquisition: { readonly id: string; readonly root: string; readonly packageHash: string },
): void {
  const attestation = attest(store, packageSubject(acquisition.id), acquisition.packageHash);
  writeFileSync(join(acquisition.root, signatureFile), `${JSON.stringify(attestation, null, 2)}\n`, {
    mode: 0o600,
  });
}
