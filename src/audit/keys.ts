import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { AppError, messageOf } from '../errors.js';
import type { StoreFiles } from '../store/index.js';

/** The private half, with the id entries name it by. */
export interface AuditSigner {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** The id of a key: the first 16 bytes of the SHA-256 of its public key (SPKI DER), in hex. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 32);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Ed25519 signs the message itself; the domain prefix keeps an audit signature from passing as another. */
export function signText(signer: AuditSigner, domain: string, text: string): string {
  return sign(null, Buffer.from(`${domain}\n${text}`), signer.privateKey).toString('base64');
}

export function verifyText(publicKey: KeyObject, domain: string, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(`${domain}\n${text}`), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    // A malformed signature is simply not a valid one.
    return false;
  }
}

export function signerOf(privateKey: KeyObject): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new AppError('config.invalid', `the audit key is ${privateKey.asymmetricKeyType}, not Ed25519`, {
      fix: 'Create one with: openssl genpkey -algorithm ed25519 -out audit-signing.key',
    });
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

export function newSigner(): AuditSigner {
  return signerOf(generateKeyPairSync('ed25519').privateKey);
}

/**
 * The signing key from its file. At the default place a missing key is created (0600, published
 * with a hard link so two processes starting at once end up with the same key); an explicitly
 * named file (a mounted secret) must exist.
 */
export function loadSigner(files: StoreFiles): AuditSigner {
  if (!existsSync(files.auditKey)) {
    if (files.auditKeyExplicit)
      throw new AppError('config.invalid', `the audit signing key ${files.auditKey} does not exist`, {
        fix: `Create it with: openssl genpkey -algorithm ed25519 -out ${files.auditKey} (or unset GATEHOUSE_AUDIT_KEY_FILE)`,
      });
    publishKey(files.auditKey, newSigner());
  }
  return signerOf(readPrivateKey(files.auditKey));
}

/** Writes a private key where none is yet; loses quietly to a key another process published first. */
export function publishKey(file: string, signer: AuditSigner): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, signer.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Replaces the key file (rotation): written aside, then renamed over the old one. */
export function replaceKey(file: string, signer: AuditSigner): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, signer.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  renameSync(temporary, file);
}

function readPrivateKey(file: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new AppError('config.invalid', `cannot read the audit signing key ${file}: ${messageOf(error)}`, {
      fix: 'Give a PKCS#8 PEM Ed25519 private key (openssl genpkey -algorithm ed25519)',
      cause: error,
    });
  }
}

/** A public key for verification: a PEM public key, or a private key file from which it follows. */
export function readPublicKey(file: string): KeyObject {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw new AppError('not-found', `cannot read the public key ${file}: ${messageOf(error)}`, {
      fix: 'Give the file written by `gatehouse audit public-key`',
      cause: error,
    });
  }
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch (error) {
    throw new AppError('input.invalid', `${file} is not a PEM public key: ${messageOf(error)}`, {
      fix: 'Give the file written by `gatehouse audit public-key`',
      cause: error,
    });
  }
  throw new AppError('input.invalid', `${file} is not an Ed25519 key`, {
    fix: 'Give the file written by `gatehouse audit public-key`',
  });
}

export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}
