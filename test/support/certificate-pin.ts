import { createHash, X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';

/**
 * The chromium flag that makes the browser trust exactly the certificate an HTTPS server presents
 * (the test OpenID Provider's, signed by a CA the system does not know): the SHA-256 of its
 * SubjectPublicKeyInfo. The connection is verified against `ca` first, so only that server's key
 * is pinned. Chromium ignores a leaf's raw public key here; it has to be the DER SPKI.
 */
export async function pinnedCertificateFlag(url: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const der = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 443), ca, servername: undefined }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(raw);
    });
    socket.once('error', (error) => reject(new Error(`reading the certificate of ${url}: ${error.message}`)));
  });
  const spki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}
