import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

/**
 * Writes a secret (a kubeconfig with a token) readable by its owner only. `writeFileSync`'s mode
 * applies only when it creates the file: over an existing 0644 file the secret would stay readable
 * by everyone. The mode is set on the open descriptor before a byte of the secret is written.
 */
export function writePrivateFile(path: string, data: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}
