import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  bitString,
  boolean,
  element,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

/** A local certificate authority: its certificate (PEM) and the key that signs server certificates. */
export interface CertificateAuthority {
  readonly certificatePem: string;
  readonly key: KeyObject;
}

/** A server certificate and its key, both PEM, as `https.createServer` takes them. */
export interface ServerCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
}

const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
const hour = 3_600_000;
const day = 24 * hour;

const name = (commonName: string) =>
  sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String(commonName))));

const extension = (oid: string, critical: boolean, value: Uint8Array) =>
  sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));

/** KeyUsage is a named BIT STRING: the first octet says how many trailing bits are unused. */
const keyUsage = (bits: number, unused: number) =>
  extension('2.5.29.15', true, element(0x03, Buffer.from([unused, bits])));

const keyIdentifier = (key: KeyObject) =>
  createHash('sha1')
    .update((key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' }))
    .digest();

function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

interface CertificateFields {
  readonly subject: string;
  readonly issuer: string;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly lifetimeMs: number;
  readonly extensions: readonly Buffer[];
}

function certificate(fields: CertificateFields): string {
  const now = Date.now();
  // Backdated an hour, so a clock a little behind ours still accepts it.
  const validity = sequence(time(new Date(now - hour)), time(new Date(now + fields.lifetimeMs)));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(randomBytes(16)),
    ecdsaWithSha256,
    name(fields.issuer),
    validity,
    name(fields.subject),
    fields.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...fields.extensions)),
  );
  const signature = sign('sha256', tbs, fields.signingKey);
  return pem('CERTIFICATE', sequence(tbs, ecdsaWithSha256, bitString(signature)));
}

const caName = 'Gatehouse test OpenID Provider CA';

/** A new CA (ECDSA P-256, ten years), able to sign server certificates only. */
export function createCertificateAuthority(): CertificateAuthority {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificatePem = certificate({
    subject: caName,
    issuer: caName,
    publicKey,
    signingKey: privateKey,
    lifetimeMs: 3650 * day,
    extensions: [
      extension('2.5.29.19', true, sequence(boolean(true), smallInteger(0))),
      // digitalSignature, keyCertSign, cRLSign.
      keyUsage(0x86, 1),
      extension('2.5.29.14', false, octetString(keyIdentifier(publicKey))),
    ],
  });
  return { certificatePem, key: privateKey };
}

/** A server certificate for loopback (127.0.0.1, ::1, localhost) signed by the CA, valid 30 days. */
export function issueServerCertificate(ca: CertificateAuthority): ServerCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const loopbackV6 = Buffer.alloc(16);
  loopbackV6[15] = 1;
  const subjectAltName = sequence(
    element(0x82, Buffer.from('localhost', 'ascii')),
    element(0x87, Buffer.from([127, 0, 0, 1])),
    element(0x87, loopbackV6),
  );
  const certificatePem = certificate({
    subject: 'localhost',
    issuer: caName,
    publicKey,
    signingKey: ca.key,
    lifetimeMs: 30 * day,
    extensions: [
      extension('2.5.29.19', true, sequence()),
      // digitalSignature only.
      keyUsage(0x80, 7),
      extension('2.5.29.37', false, sequence(objectIdentifier('1.3.6.1.5.5.7.3.1'))),
      extension('2.5.29.17', false, subjectAltName),
      extension('2.5.29.35', false, sequence(element(0x80, keyIdentifier(ca.key)))),
    ],
  });
  return { certificatePem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * The CA kept in `dir` (`ca.crt`, `ca.key`), made on first use. The kube-apiserver's
 * authentication config embeds this certificate, so every later provider must be signed by it.
 * Two processes creating it at once agree: the loser of the rename reads the winner's.
 */
export function loadOrCreateCertificateAuthority(dir: string): CertificateAuthority {
  const read = (): CertificateAuthority => ({
    certificatePem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    key: createPrivateKey(readFileSync(join(dir, 'ca.key'), 'utf8')),
  });
  if (existsSync(join(dir, 'ca.key'))) return read();
  const ca = createCertificateAuthority();
  const scratch = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(scratch, { mode: 0o700 });
  writeFileSync(join(scratch, 'ca.crt'), ca.certificatePem);
  writeFileSync(join(scratch, 'ca.key'), ca.key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    renameSync(scratch, dir);
    return ca;
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    if (existsSync(join(dir, 'ca.key'))) return read();
    throw new Error(`creating the OpenID Provider CA in ${dir}: ${String(error)}`, { cause: error });
  }
}
