import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AppError, messageOf } from '../errors.js';
import {
  applicationDirectories,
  serverScriptNames,
  shellRcNames,
  uploadDirectories,
  vendorDirectories,
  webRoots,
} from './profile-places.js';

/**
 * One thing to collect, defined as data (in the spirit of UAC's artifact files), so users can add
 * their own with `--profile FILE`.
 * - `command`: a POSIX sh snippet run inside the container; its output (stdout and stderr) is kept.
 * - `files`: regular files found under `paths` (optionally by `names`), up to `maxFileSize` bytes
 *   each and `maxDepth` deep, streamed back as tar (or framed by sh when tar is missing).
 * - `list`: the names found, without contents.
 */
export interface Artifact {
  readonly id: string;
  readonly description: string;
  readonly collector: 'command' | 'files' | 'list';
  readonly command?: string;
  readonly paths?: readonly string[];
  readonly names?: readonly string[];
  /** find(1) tests to add, e.g. `-perm -4000`. Only `-perm`, `-type`, `-newer*`, `-mtime`, `-size` forms. */
  readonly where?: string;
  readonly maxDepth?: number;
  readonly maxFileSize?: number;
  readonly exclude?: readonly string[];
}

export interface Profile {
  readonly name: string;
  readonly artifacts: readonly Artifact[];
}

const kib = 1024;
const mib = 1024 * kib;
const pseudo = ['/proc', '/sys', '/dev'];
/** The default triage profile: volatile state first, then files, then whole-filesystem listings. */
export const defaultProfile: Profile = {
  name: 'triage',
  artifacts: [
    {
      id: 'live.date',
      description: 'container clock (UTC) and uptime',
      collector: 'command',
      command: 'date -u +%Y-%m-%dT%H:%M:%SZ; cat /proc/uptime',
    },
    {
      id: 'live.uname',
      description: 'kernel and hostname',
      collector: 'command',
      command: 'uname -a; cat $R/etc/hostname 2>/dev/null || hostname',
    },
    {
      id: 'live.id',
      description: 'identity of the collector inside the container',
      collector: 'command',
      command: 'id',
    },
    {
      id: 'live.processes',
      description:
        'every process from /proc: stat, status, cmdline, exe, cwd, cgroup, open files, environment variable names',
      collector: 'command',
      command: [
        'for d in /proc/[0-9]*; do p=${d#/proc/}; [ -d "$d" ] || continue',
        'echo "@pid $p"; echo "@stat $(cat $d/stat 2>/dev/null)"',
        'echo "@exe $(ls -l $d/exe 2>/dev/null | sed \'s/.* -> //\')"; echo "@cwd $(ls -l $d/cwd 2>/dev/null | sed \'s/.* -> //\')"',
        "echo \"@cmdline $(tr '\\0' '\\001' < $d/cmdline 2>/dev/null)\"",
        "echo \"@envnames $(tr '\\0' '\\n' < $d/environ 2>/dev/null | sed 's/=.*//' | tr '\\n' ' ')\"",
        "echo \"@cgroup $(tr '\\n' ' ' < $d/cgroup 2>/dev/null)\"",
        "grep -E '^(Name|PPid|Uid|Gid|CapEff|Seccomp):' $d/status 2>/dev/null | sed 's/^/@status /'",
        "ls -l $d/fd 2>/dev/null | sed -n 's/.* \\([0-9]*\\) -> \\(.*\\)/@fd \\1 \\2/p'",
        'done',
      ].join('\n'),
    },
    {
      id: 'live.net',
      description: 'sockets from /proc/net (works without ss or netstat)',
      collector: 'command',
      command: 'for f in tcp tcp6 udp udp6 unix; do echo "@table $f"; cat /proc/net/$f 2>/dev/null; done',
    },
    { id: 'live.mounts', description: 'mounts', collector: 'command', command: 'cat /proc/1/mounts' },
    {
      id: 'live.sa-token-sha256',
      description: 'SHA-256 of the service-account token (never the token)',
      collector: 'command',
      command:
        'f=/var/run/secrets/kubernetes.io/serviceaccount/token; if [ -f $f ]; then (sha256sum $f 2>/dev/null || echo "no sha256sum") | cut -d" " -f1; else echo "no token mounted"; fi',
    },
    {
      id: 'files.etc',
      description: '/etc without shadow files',
      collector: 'files',
      paths: ['/etc'],
      maxFileSize: 1 * mib,
      maxDepth: 4,
      exclude: ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'],
    },
    {
      id: 'files.history',
      description: 'shell histories of every user',
      collector: 'files',
      paths: ['/root', '/home'],
      names: ['.*_history', '.history', '.ash_history'],
      maxFileSize: 5 * mib,
      maxDepth: 3,
    },
    {
      id: 'files.ssh',
      description: 'ssh authorized_keys and known_hosts',
      collector: 'files',
      paths: ['/root', '/home'],
      names: ['authorized_keys*', 'known_hosts'],
      maxFileSize: mib,
      maxDepth: 4,
    },
    {
      id: 'files.cron',
      description: 'crontabs and at spools',
      collector: 'files',
      paths: ['/etc/crontabs', '/var/spool/cron', '/var/spool/at', '/etc/cron.d'],
      maxFileSize: mib,
      maxDepth: 3,
    },
    {
      id: 'files.shell-rc',
      description: 'shell profiles and rc files of every user (/etc/profile and profile.d come with /etc)',
      collector: 'files',
      paths: ['/root', '/home'],
      names: shellRcNames,
      maxFileSize: mib,
      maxDepth: 4,
    },
    {
      id: 'files.web',
      description: 'web roots, where webshells are planted (every file, capped per file)',
      collector: 'files',
      paths: webRoots,
      maxFileSize: 512 * kib,
      maxDepth: 10,
      exclude: vendorDirectories,
    },
    {
      id: 'files.uploads',
      description: 'upload directories of common application layouts (every file, capped per file)',
      collector: 'files',
      paths: uploadDirectories,
      maxFileSize: 2 * mib,
      maxDepth: 8,
    },
    {
      id: 'files.app-scripts',
      description: 'server-side scripts (PHP, JSP, ASP.NET, CGI) in application directories',
      collector: 'files',
      paths: applicationDirectories,
      names: serverScriptNames,
      maxFileSize: 512 * kib,
      maxDepth: 10,
      exclude: vendorDirectories,
    },
    {
      id: 'files.logs',
      description: '/var/log (capped per file)',
      collector: 'files',
      paths: ['/var/log'],
      maxFileSize: 10 * mib,
      maxDepth: 5,
    },
    {
      id: 'files.tmp',
      description: 'small files in /tmp, /var/tmp and /dev/shm',
      collector: 'files',
      paths: ['/tmp', '/var/tmp', '/dev/shm'],
      maxFileSize: 10 * mib,
      maxDepth: 5,
    },
    {
      id: 'files.packages',
      description: 'package databases (dpkg, apk, rpm)',
      collector: 'files',
      paths: ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d', '/lib/apk/db/installed', '/var/lib/rpm'],
      maxFileSize: 50 * mib,
      maxDepth: 2,
    },
    {
      id: 'list.tmp',
      description: 'everything in /tmp, /var/tmp and /dev/shm (names, with sizes beyond the cap)',
      collector: 'list',
      paths: ['/tmp', '/var/tmp', '/dev/shm'],
      maxDepth: 8,
    },
    {
      id: 'list.suid',
      description: 'SUID and SGID files',
      collector: 'list',
      paths: ['/'],
      where: '( -perm -4000 -o -perm -2000 ) -type f',
      exclude: pseudo,
    },
    {
      id: 'list.world-writable',
      description: 'world-writable files',
      collector: 'list',
      paths: ['/'],
      where: '-type f -perm -0002',
      exclude: pseudo,
    },
    {
      id: 'fs.bodyfile',
      description: 'stat of every file for a TSK 3.x bodyfile (excluding /proc and /sys)',
      collector: 'command',
      command:
        'cd "$R/" && find . \\( -path ./proc -o -path ./sys \\) -prune -o -print0 2>/dev/null | xargs -0 stat -c \'%i|%A|%u|%g|%s|%X|%Y|%Z|%n\' 2>/dev/null',
    },
    {
      id: 'exe.deleted-or-writable',
      description:
        'binaries of running processes that are deleted or live in writable places (copied through /proc/PID/exe)',
      collector: 'command',
      command:
        'for d in /proc/[0-9]*; do l=$(ls -l $d/exe 2>/dev/null | sed \'s/.* -> //\'); case "$l" in *"(deleted)"*|/tmp/*|/var/tmp/*|/dev/shm/*|/home/*|/root/*) echo "@exe ${d#/proc/} $l";; esac; done',
    },
  ],
};

const idPattern = /^[a-z0-9][a-z0-9._-]{0,80}$/;
const wherePattern = /^[\w\s()./+*-]*$/;

/** Reads a user profile (YAML or JSON: `name`, `artifacts`), checking each field. */
export function loadProfile(file: string): Profile {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('input.invalid', `cannot read profile ${file}: ${messageOf(error).split('\n')[0]}`, {
      fix: 'Give a YAML file with `name` and `artifacts`',
    });
  }
  const profile = document as Partial<Profile> | null;
  if (!profile || typeof profile.name !== 'string' || !Array.isArray(profile.artifacts)) {
    throw new AppError('input.invalid', `profile ${file} needs a name and a list of artifacts`, {
      fix: 'See `gatehouse acquire --help` for the artifact fields',
    });
  }
  for (const [index, artifact] of profile.artifacts.entries())
    validateArtifact(artifact, `${file}: artifacts[${index}]`);
  return profile as Profile;
}

export function validateArtifact(artifact: Artifact, where: string): void {
  const fail = (message: string) => {
    throw new AppError('input.invalid', `${where}: ${message}`, { fix: 'Fix the artifact definition' });
  };
  if (!idPattern.test(String(artifact?.id))) fail('id must be lowercase letters, digits, ".", "_" or "-"');
  if (!['command', 'files', 'list'].includes(artifact.collector))
    fail('collector must be command, files or list');
  if (artifact.collector === 'command' && typeof artifact.command !== 'string')
    fail('a command artifact needs `command`');
  if (
    artifact.collector !== 'command' &&
    (!Array.isArray(artifact.paths) ||
      artifact.paths.some((path) => typeof path !== 'string' || !path.startsWith('/')))
  ) {
    fail('paths must be absolute');
  }
  for (const path of [...(artifact.paths ?? []), ...(artifact.exclude ?? []), ...(artifact.names ?? [])]) {
    if (/['\n\\]/.test(path)) fail(`"${path}" may not contain quotes, backslashes or newlines`);
  }
  if (artifact.where !== undefined && !wherePattern.test(artifact.where))
    fail('where may only hold find(1) tests');
}
