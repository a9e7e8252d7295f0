import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(fileURLToPath(import.meta.url));

/** Every source file (tests excluded) with the files it imports, as paths relative to src/. */
function imports(): { file: string; imported: string[] }[] {
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file),
  );
  return files.map((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((match) => match[1]!);
    const imported = specifiers.map((specifier) =>
      relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts'),
    );
    return { file, imported };
  });
}

describe('the layers of the house', () => {
  it('lets nothing outside the CLI import the CLI, and nothing in it but the command table import a command file', () => {
    const offending = imports().flatMap(({ file, imported }) =>
      imported
        .filter((target) =>
          file.startsWith('cli/')
            ? target.startsWith('cli/commands/') &&
              !file.startsWith('cli/commands/') &&
              file !== 'cli/command-table.ts'
            : target.startsWith('cli/'),
        )
        .map((target) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('keeps the runtime below its doors: capabilities, clusters and the store never import the server, the console or the runtime', () => {
    const doors = ['server/', 'console/', 'cli/'];
    const offending = imports().flatMap(({ file, imported }) =>
      doors.some((door) => file.startsWith(door)) || file === 'runtime.ts'
        ? []
        : imported
            .filter(
              (target) =>
                target.startsWith('server/') || target.startsWith('console/') || target === 'runtime.ts',
            )
            .map((target) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('lets no top-level command import another: what two commands share lives below the commands', () => {
    const table = readFileSync(join(root, 'cli', 'command-table.ts'), 'utf8');
    const commands = new Set(
      [...table.matchAll(/import\('\.\/commands\/([\w-]+)\.js'\)/g)].map(
        (match) => `cli/commands/${match[1]}.ts`,
      ),
    );
    expect(commands.size).toBeGreaterThan(5);
    const offending = imports().flatMap(({ file, imported }) =>
      commands.has(file)
        ? imported
            .filter((target) => target !== file && commands.has(target))
            .map((target) => `${file} → ${target}`)
        : [],
    );
    expect(offending).toEqual([]);
  });
});
