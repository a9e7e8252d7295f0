import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ManifestItem } from '../../src/forensics/index.js';

/** A collected file: its container path, the artifact that collected it, its bytes. */
export interface CraftedFile {
  readonly source: string;
  readonly artifact: string;
  readonly content: string | Buffer;
}

/**
 * Writes a package on disk as acquisition would leave it (manifest, custody record, files and
 * command outputs), so processing is tested through the real `openPackage`.
 */
export function craftPackage(
  contents: { files?: readonly CraftedFile[]; outputs?: Readonly<Record<string, string>> } = {},
  root = mkdtempSync(join(tmpdir(), 'gatehouse-crafted-')),
): string {
  mkdirSync(root, { recursive: true });
  const items: ManifestItem[] = [];
  const write = (path: string, content: string | Buffer) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    const bytes = Buffer.from(content);
    return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  };
  for (const [index, file] of (contents.files ?? []).entries()) {
    const path = `files/${index}`;
    items.push({
      path,
      source: file.source,
      artifact: file.artifact,
      method: 'exec',
      type: 'file',
      status: 'collected',
      ...write(path, file.content),
    });
  }
  for (const [id, text] of Object.entries(contents.outputs ?? {})) {
    const path = `live/${id}.out`;
    items.push({
      path,
      source: `command ${id}`,
      artifact: id,
      method: 'exec',
      type: 'output',
      status: 'collected',
      ...write(path, text),
    });
  }
  writeFileSync(join(root, 'manifest.json'), JSON.stringify({ items }));
  writeFileSync(
    join(root, 'custody.json'),
    JSON.stringify({ packageId: 'crafted', errors: [], partialItems: [] }),
  );
  return root;
}

/** `@pid` blocks of the process collector for each command line (argv joined by \u0001). */
export function processOutput(
  processes: readonly { pid: number; ppid?: number; name: string; argv: readonly string[]; exe: string }[],
): string {
  return processes
    .map(
      (process) =>
        `@pid ${process.pid}\n@stat ${process.pid} (${process.name}) S ${process.ppid ?? 1} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n@exe ${process.exe}\n@cmdline ${process.argv.join('\u0001')}\u0001\n`,
    )
    .join('');
}
