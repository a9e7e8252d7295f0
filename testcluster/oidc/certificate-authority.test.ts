import { X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { createServer, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  issueServerCertificate,
  loadOrCreateCertificateAuthority,
} from './certificate-authority.js';

/** Serves one HTTPS answer with the certificate, and asks it trusting `ca`; the error or 'ok'. */
async function handshake(server: { certificatePem: string; keyPem: string }, ca: string): Promise<string> {
  const https = createServer({ cert: server.certificatePem, key: server.keyPem }, (_req, res) =>
    res.end('ok'),
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const address = https.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    return await new Promise<string>((resolve) => {
      get(`https://127.0.0.1:${port}/`, { ca }, (res) => {
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
      }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    https.close();
  }
}

describe('the test OpenID Provider CA', () => {
  it('issues loopback server certificates that a client trusting the CA accepts over TLS', async () => {
    const ca = createCertificateAuthority();
    const server = issueServerCertificate(ca);
    expect(await handshake(server, ca.certificatePem)).toBe('ok');
    const leaf = new X509Certificate(server.certificatePem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  });

  it('is refused by a client that trusts another CA', async () => {
    const server = issueServerCertificate(createCertificateAuthority());
    const other = createCertificateAuthority();
    expect(await handshake(server, other.certificatePem)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('is a CA certificate valid for ten years, self-signed', () => {
    const ca = new X509Certificate(createCertificateAuthority().certificatePem);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 24 * 3_600_000);
    expect(years).toBeGreaterThan(9.9);
  });

  it('is made once in its directory and read back after, with the key readable by the owner only', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-oidc-ca-')), 'oidc-ca');
    const first = loadOrCreateCertificateAuthority(dir);
    const again = loadOrCreateCertificateAuthority(dir);
    expect(again.certificatePem).toBe(first.certificatePem);
    expect(statSync(join(dir, 'ca.key')).mode & 0o077).toBe(0);
    const server = issueServerCertificate(again);
    expect(
      new X509Certificate(server.certificatePem).checkIssued(new X509Certificate(first.certificatePem)),
    ).toBe(true);
  });
});
