import { createHash } from 'node:crypto';
import type { Artifact, Profile } from '../profile.js';

/**
 * The POSIX sh collector, generated from a profile. It runs as one `sh -c` argument (nothing is
 * downloaded, nothing written inside the container, no stdin needed) and writes sections to
 * stdout: `##GH1 <nonce> hex <id>` followed by `od -An -tx1` output, or `tar` followed by a tar
 * stream. Without od, sections are `raw`; without tar, files are sent one by one as hex.
 */
export interface CollectorScript {
  readonly script: string;
  readonly nonce: string;
  /** SHA-256 of the script text, recorded in the custody record. */
  readonly sha256: string;
}

const runtime = (
  nonce: string,
  root: string,
) => `export LC_ALL=C PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
N=${nonce}
R=${root}
have() { command -v "$1" >/dev/null 2>&1; }
if have od; then K=hex; enc() { od -An -tx1 -v; }; else K=raw; enc() { cat; }; fi
gh() { printf '\\n##GH1 %s %s %s\\n' "$N" "$1" "$2"; }
gh_run() { gh $K "$1"; ( eval "$2" ) 2>&1 | enc; }
gh_copy() { gh $K "$1"; head -c "$3" "$2" 2>&1 | enc; }
gh_files() { id=$1; shift; if have tar && have xargs; then gh tar "$id"; ( cd "$R/" && "$@" -print0 2>/dev/null | xargs -0 tar -cf - --no-recursion 2>/dev/null ); else n=0; ( cd "$R/" && "$@" 2>/dev/null ) | while IFS= read -r f; do n=$((n+1)); gh $K "$id.name.$n"; printf '%s' "$f" | enc; gh_copy "$id.data.$n" "$R/$f" 1073741824; done; fi; }
gh_env() { gh $K meta.tools; for t in sh od tar xargs find stat sed tr grep head sha256sum ls; do have $t && echo "$t"; done | enc; }
gh_env
`;

function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** find(1) arguments for an artifact: paths, prunes, depth, names, size cap, extra tests. */
export function findArguments(
  artifact: Artifact,
  options: { sizeCap?: boolean; oversize?: boolean } = {},
): string {
  // find runs from the target's root (cd "$R/"), so every path is relative: /etc becomes ./etc.
  const paths = (artifact.paths ?? []).map((path) => quote(path === '/' ? '.' : `.${path}`)).join(' ');
  const prune = artifact.exclude?.length
    ? `\\( ${artifact.exclude.map((path) => `-path ${quote(`.${path}`)}`).join(' -o ')} \\) -prune -o`
    : '';
  const depth = artifact.maxDepth !== undefined ? `-maxdepth ${artifact.maxDepth}` : '';
  const names = artifact.names?.length
    ? `\\( ${artifact.names.map((name) => `-name ${quote(name)}`).join(' -o ')} \\)`
    : '';
  const kib = artifact.maxFileSize ? Math.max(1, Math.floor(artifact.maxFileSize / 1024)) : undefined;
  const size =
    kib && options.sizeCap ? `-size -${kib + 1}k` : kib && options.oversize ? `-size +${kib}k` : '';
  const where = artifact.where ? artifact.where.replaceAll('(', '\\(').replaceAll(')', '\\)') : '';
  return ['find', paths, depth, prune, names, artifact.collector === 'files' ? '-type f' : '', size, where]
    .filter(Boolean)
    .join(' ');
}

function compileArtifact(artifact: Artifact): string {
  switch (artifact.collector) {
    case 'command':
      return `gh_run ${artifact.id} ${quote(artifact.command ?? '')}`;
    case 'list':
      return `gh_run ${artifact.id} ${quote(`cd "$R/" && ${findArguments(artifact)} -print`)}`;
    case 'files': {
      const lines = [`gh_files ${artifact.id} ${findArguments(artifact, { sizeCap: true })}`];
      if (artifact.maxFileSize)
        lines.push(
          `gh_run ${artifact.id}.over-cap ${quote(`cd "$R/" && ${findArguments(artifact, { oversize: true })} -exec ls -ln {} +`)}`,
        );
      return lines.join('\n');
    }
    default: {
      const unreachable: never = artifact.collector;
      return unreachable;
    }
  }
}

/** Copies of running binaries that are deleted or in writable places, through /proc/PID/exe. */
const exeCopies = [
  `gh_exes() { for d in /proc/[0-9]*; do l=$(ls -l $d/exe 2>/dev/null | sed 's/.* -> //'); case "$l" in *"(deleted)"*|/tmp/*|/var/tmp/*|/dev/shm/*|/home/*|/root/*) echo $d/exe;; esac; done; }`,
  // tar -h reads through the /proc/PID/exe link, deleted binaries included; without tar, hex copies.
  `if have tar && have xargs; then gh tar exe.copies; gh_exes | xargs tar -chf - --no-recursion 2>/dev/null; else for e in $(gh_exes); do p=\${e#/proc/}; gh_copy "exe.copy.\${p%/exe}" $e 52428800; done; fi`,
].join('\n');

/**
 * @param root where the target's filesystem is seen from the collector: '' when it runs in the
 * target container (exec), `/proc/1/root` from an ephemeral container sharing its PID namespace.
 */
export function buildCollector(profile: Profile, nonce: string, root = ''): CollectorScript {
  if (root !== '' && !/^\/proc\/\d+\/root$/.test(root)) throw new Error(`unexpected collector root ${root}`);
  const body = profile.artifacts.map(compileArtifact).join('\n');
  const script = `${runtime(nonce, root)}${body}\n${exeCopies}\ngh end done\n`;
  return { script, nonce, sha256: createHash('sha256').update(script).digest('hex') };
}
