import { readFileSync } from 'node:fs';

/**
 * package.json is one folder up from src/ and from the bundled CLI (dist/gatehouse.mjs), two up
 * from a bundle chunk (dist/chunks/): the first that is Gatehouse's own wins.
 */
function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'gatehouse' && manifest.version) return manifest.version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return 'unknown';
}

/** The package version, read once from package.json; custody records name it. */
export const version: string = readVersion();
