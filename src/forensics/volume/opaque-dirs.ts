import { spawnSync } from 'node:child_process';

export type OpaqueRead =
  | { readonly known: true; readonly paths: ReadonlySet<string> }
  | { readonly known: false; readonly paths: ReadonlySet<string>; readonly why: string };

/** getfattr escapes unusual bytes in names as `\ooo` octal and a backslash as `\\`. */
function unescapeName(text: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const octal = text[index] === '\\' ? /^[0-7]{3}/.exec(text.slice(index + 1)) : null;
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      index += 3;
    } else if (text[index] === '\\' && text[index + 1] === '\\') {
      bytes.push(0x5c);
      index += 1;
    } else bytes.push(...Buffer.from(text[index]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The directories under `base` (relative, `/`-joined) marked opaque with the extended attribute
 * `trusted.overlay.opaque=y`. Node cannot read extended attributes, so this asks `getfattr`
 * (Debian's attr package) without following links; without it the answer is "unknown", said so.
 */
export function readOpaqueDirectories(base: string, getfattr = 'getfattr'): OpaqueRead {
  const run = spawnSync(
    getfattr,
    [
      '--recursive',
      '--no-dereference',
      '--physical',
      '--absolute-names',
      '--dump',
      '--match=^trusted\\.overlay\\.opaque$',
      base,
    ],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  if (run.error) {
    return {
      known: false,
      paths: new Set(),
      why: `opaque directories are unknown: getfattr cannot run (${run.error.message}); install Debian's attr package`,
    };
  }
  const paths = new Set<string>();
  let current: string | undefined;
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('# file: ')) current = unescapeName(line.slice('# file: '.length));
    else if (current !== undefined && line === 'trusted.overlay.opaque="y"') {
      if (current.startsWith(`${base}/`)) paths.add(current.slice(base.length + 1));
      else if (current === base) paths.add('');
    }
  }
  if (run.status !== 0) {
    return {
      known: false,
      paths,
      why: `getfattr failed on ${base}: ${run.stderr.trim().split('\n')[0] ?? ''}`,
    };
  }
  return { known: true, paths };
}
