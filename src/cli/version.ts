import { readFileSync } from 'node:fs';

// package.json is one folder up from the bundled CLI (dist/gatehouse.mjs) and two from src/cli.
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

/** The package version, read once from package.json. */
export const version: string = readVersion();
