import { readFileSync } from 'node:fs';

/** package.json is one folder up from src/ and from the bundled CLI (dist/gatehouse.mjs) alike. */
function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return manifest.name === 'gatehouse' && manifest.version ? manifest.version : 'unknown';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return 'unknown';
  }
}

/** The package version, read once from package.json; custody records name it. */
export const version: string = readVersion();
