import type { KeyObject } from 'node:crypto';
import type { Store } from '../store/index.js';
import { type AuditEvent, entryDomain, hashEvent, signerFor } from './audit-log.js';
import { signText, verifyText } from './keys.js';

/** A signed statement that `subject` had hash `sha256`, by the audit key (an evidence package's seal). */
export interface Attestation {
  readonly version: 1;
  readonly subject: string;
  readonly sha256: string;
  readonly keyId: string;
  readonly signature: string;
  readonly signedAt: string;
}

const attestationDomain = 'gatehouse-attestation-v1';
const statement = (subject: string, sha256: string) => `${subject}\n${sha256}`;

/**
 * Signs a hash with the store's audit key, so that whoever holds the public key can check it
 * without the database: written beside an evidence package at seal time.
 */
export function attest(store: Store, subject: string, sha256: string, now = new Date()): Attestation {
  const signer = signerFor(store);
  return {
    version: 1,
    subject,
    sha256,
    keyId: signer.keyId,
    signature: signText(signer, attestationDomain, statement(subject, sha256)),
    signedAt: now.toISOString(),
  };
}

export function parseAttestation(text: string): Attestation {
  const value = JSON.parse(text) as Partial<Attestation>;
  for (const field of ['subject', 'sha256', 'keyId', 'signature', 'signedAt'] as const)
    if (typeof value[field] !== 'string') throw new Error(`the signature file has no ${field}`);
  return value as Attestation;
}

/** Whether a trusted key signed exactly this subject and hash. */
export function attestationHolds(attestation: Attestation, keys: ReadonlyMap<string, KeyObject>): boolean {
  const key = keys.get(attestation.keyId);
  return (
    key !== undefined &&
    verifyText(
      key,
      attestationDomain,
      statement(attestation.subject, attestation.sha256),
      attestation.signature,
    )
  );
}

/** Whether an audit entry is intact and signed by a trusted key, checked on its own. */
export function entryHolds(event: AuditEvent, keys: ReadonlyMap<string, KeyObject>): boolean {
  const { hash, keyId, signature, ...rest } = event;
  const key = keyId ? keys.get(keyId) : undefined;
  return (
    key !== undefined &&
    signature !== undefined &&
    hashEvent(rest) === hash &&
    verifyText(key, entryDomain, hash, signature)
  );
}
