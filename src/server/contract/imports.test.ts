import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const folder = dirname(fileURLToPath(import.meta.url));

describe('the API contract', () => {
  it('loads nothing of the server or the store: only zod, the error vocabulary and its own files', () => {
    const loaded = readdirSync(folder)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) =>
        [
          ...readFileSync(join(folder, file), 'utf8').matchAll(
            /^(?:import|export)(?! type)[^;]*?from '([^']+)'/gms,
          ),
        ].map((match) => `${file} → ${match[1]}`),
      )
      .filter((line) => !/→ (zod|\.\/[\w-]+\.js|\.\.\/\.\.\/errors\.js)$/.test(line));
    expect(loaded).toEqual([]);
  });
});
