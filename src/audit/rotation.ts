import type { KeyObject } from 'node:crypto';
import type { Store } from '../store/index.js';
import {
  type AuditEvent,
  auditedTransaction,
  entryDomain,
  hashEvent,
  listAudit,
  rotationAction,
  useSigner,
} from './audit-log.js';
import {
  type AuditSigner,
  keyIdOf,
  loadSigner,
  newSigner,
  publicKeyFromPem,
  publicKeyPem,
  replaceKey,
  signText,
  verifyText,
} from './keys.js';

/** The new key signs this statement, so a verifier holding only the new key trusts the old one too. */
const endorsementDomain = 'gatehouse-audit-key-endorsement-v1';

const endorsed = (previousKeyId: string, keyId: string) => `${previousKeyId} -> ${keyId}`;

export interface RotationOptions {
  readonly actor: string;
  /** The new key; by default one is generated. */
  readonly next?: AuditSigner;
  /** Write the new key over the key file (the default place); a mounted secret is updated by its owner. */
  readonly replaceKeyFile: boolean;
}

/**
 * Rotates the audit key. The rotation is itself an entry, signed by the old key, naming the new
 * key and endorsed by it; every entry after it is signed by the new key. The key file is replaced
 * inside the transaction, so no other writer signs between the entry and the new key.
 */
export async function rotateAuditKey(store: Store, options: RotationOptions): Promise<AuditEvent> {
  const previous = loadSigner(store.files);
  const next = options.next ?? newSigner();
  const event = await auditedTransaction(store, async ({ audit }) => {
    const entry = await audit({
      actor: options.actor,
      action: rotationAction,
      target: `audit-key/${next.keyId}`,
      outcome: 'succeeded',
      details: {
        previousKeyId: previous.keyId,
        previousPublicKey: publicKeyPem(previous.publicKey),
        keyId: next.keyId,
        publicKey: publicKeyPem(next.publicKey),
        endorsement: signText(next, endorsementDomain, endorsed(previous.keyId, next.keyId)),
      },
    });
    if (options.replaceKeyFile) replaceKey(store.files.auditKey, next);
    return entry;
  });
  useSigner(store, next);
  return event;
}

interface Rotation {
  readonly event: AuditEvent;
  readonly previous: KeyObject;
  readonly next: KeyObject;
}

/**
 * Every key the anchor vouches for through rotation entries: forward (the old key signed the
 * entry naming the new one) and backward (the new key endorsed the old one). An entry whose own
 * hash does not hold vouches for nothing.
 */
export async function trustedKeys(store: Store, anchor: KeyObject): Promise<Map<string, KeyObject>> {
  const trusted = new Map([[keyIdOf(anchor), anchor]]);
  const rotations = (await listAudit(store, { action: rotationAction })).flatMap(parseRotation);
  for (let size = 0; size !== trusted.size; ) {
    size = trusted.size;
    for (const rotation of rotations) vouch(trusted, rotation);
  }
  return trusted;
}

function vouch(trusted: Map<string, KeyObject>, rotation: Rotation): void {
  const previousId = keyIdOf(rotation.previous);
  const nextId = keyIdOf(rotation.next);
  const { event } = rotation;
  const forward =
    trusted.has(previousId) &&
    event.keyId === previousId &&
    verifyText(rotation.previous, entryDomain, event.hash, event.signature ?? '');
  const backward =
    trusted.has(nextId) &&
    verifyText(
      rotation.next,
      endorsementDomain,
      endorsed(previousId, nextId),
      String(event.details.endorsement ?? ''),
    );
  if (forward) trusted.set(nextId, rotation.next);
  if (backward) trusted.set(previousId, rotation.previous);
}

function parseRotation(event: AuditEvent): Rotation[] {
  const { hash, keyId: _keyId, signature: _signature, ...rest } = event;
  const { previousPublicKey, publicKey } = event.details;
  if (hashEvent(rest) !== hash || typeof previousPublicKey !== 'string' || typeof publicKey !== 'string')
    return [];
  try {
    return [{ event, previous: publicKeyFromPem(previousPublicKey), next: publicKeyFromPem(publicKey) }];
  } catch {
    // A rotation entry whose keys do not parse vouches for nothing; the chain walk reports it.
    return [];
  }
}
