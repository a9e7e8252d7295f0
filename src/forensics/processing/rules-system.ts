import { hasLoginShell, isServiceAccount } from './accounts.js';
import type { BodyfileEntry, ProcessInfo } from './parse.js';
import {
  dataExtension,
  droppedToolPlace,
  kernelThreadName,
  metadataAddresses,
  minerPattern,
  offensiveToolName,
  serverScriptExtension,
  unusualPorts,
  usualHiddenTmpEntries,
  writableDirectory,
} from './patterns.js';
import { invisibleCharacters } from './quote.js';
import type { Rule } from './rule-types.js';

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const exePath = (process: ProcessInfo) => process.exe.replace(/ \(deleted\)$/, '');
const isFile = (entry: BodyfileEntry) => entry.mode.startsWith('-');
const isDirectory = (entry: BodyfileEntry) => entry.mode.startsWith('d');
const isExecutable = (mode: string) => /^-(..[xsS]|.....[xsS]|........[xtT])/.test(mode);
const describe = (entry: BodyfileEntry) => `${entry.mode} ${entry.size} bytes ${entry.name}`;
const elfMagic = '\u007fELF';

/** Spaces and dots spelled out: a quote alone would show nothing. */
const spelled = (name: string) =>
  [...name.slice(0, 12)]
    .map((c) => (c === ' ' ? 'space' : c === '.' ? 'dot' : c === '\t' ? 'tab' : c))
    .join(' ');
const when = (condition: boolean, evidence: () => string) => (condition ? evidence() : undefined);

/** Rules over processes, the filesystem listing, collected file contents, accounts and sockets. */
export const systemRules: readonly Rule[] = [
  {
    id: 'deleted-binary',
    severity: 'high',
    title: 'process runs a deleted binary',
    why: 'Deleting a running binary hides it from the filesystem; legitimate workloads rarely do it.',
    match: { kind: 'process', test: (p) => when(p.exe.endsWith('(deleted)'), () => `exe ${p.exe}`) },
  },
  {
    id: 'exec-from-writable',
    severity: 'high',
    title: 'process runs a binary from a world-writable directory',
    why: 'Images do not ship programs in /tmp, /var/tmp or /dev/shm; something wrote and ran it.',
    match: { kind: 'process', test: (p) => when(writableDirectory.test(p.exe), () => `exe ${p.exe}`) },
  },
  {
    id: 'miner',
    severity: 'critical',
    title: 'cryptocurrency miner',
    why: 'Cryptomining is the most common payload of Kubernetes intrusions.',
    match: {
      kind: 'process',
      test: (p) => {
        const command = `${p.name} ${p.cmdline.join(' ')}`;
        const found = minerPattern.exec(command);
        return found ? `"${found[0]}" in ${command}` : undefined;
      },
    },
  },
  {
    id: 'masquerade-kernel-thread',
    severity: 'high',
    title: 'user process named like a kernel thread',
    why: 'Kernel threads are invisible inside a container: a process called [kworker/…] or ksoftirqd is hiding.',
    match: {
      kind: 'process',
      test: (p) => {
        const argv0 = p.cmdline[0] ?? '';
        const names = [p.name, argv0, baseName(argv0), baseName(exePath(p))];
        const fake = /^\[.+\]$/.test(argv0) || names.some((name) => kernelThreadName.test(name));
        return when(fake, () => `name ${p.name}, argv[0] ${argv0}, exe ${p.exe}`);
      },
    },
  },
  {
    id: 'offensive-tool-running',
    severity: 'high',
    title: 'attack, tunnelling or container-runtime tool running',
    why: 'Scanners, tunnels (chisel, frp, ngrok), kubelet and runtime clients in an app container mean someone is moving on.',
    match: {
      kind: 'process',
      test: (p) => {
        const names = [baseName(exePath(p)), baseName(p.cmdline[0] ?? '')];
        return when(
          names.some((name) => offensiveToolName.test(name)),
          () => `exe ${p.exe}: ${p.cmdline.join(' ')}`,
        );
      },
    },
  },
  {
    id: 'executable-in-writable',
    severity: 'high',
    title: 'executable file in /tmp, /var/tmp or /dev/shm',
    why: 'Droppers stage payloads in world-writable directories.',
    match: {
      kind: 'file',
      test: (entry) =>
        when(writableDirectory.test(entry.name) && isExecutable(entry.mode), () => describe(entry)),
    },
  },
  {
    id: 'suid-in-writable',
    severity: 'critical',
    title: 'SUID/SGID file in a world-writable directory',
    why: 'A SUID copy of a shell is a ready-made root backdoor.',
    match: [
      {
        kind: 'file',
        test: (entry) =>
          when(/^-..[sS]|^-.....[sS]/.test(entry.mode) && writableDirectory.test(entry.name), () =>
            describe(entry),
          ),
      },
      {
        kind: 'listing',
        output: 'list.suid',
        test: (path) => when(writableDirectory.test(path), () => path),
      },
    ],
  },
  {
    id: 'offensive-tool',
    severity: 'high',
    title: 'attack, tunnelling or container-runtime tool dropped in a writable place',
    why: 'kubectl, peirates, kubeletctl, crictl, docker, scanners and tunnels in /tmp, a home or a web root were brought in.',
    match: {
      kind: 'file',
      test: (entry) =>
        when(
          isFile(entry) && droppedToolPlace.test(entry.name) && offensiveToolName.test(baseName(entry.name)),
          () => describe(entry),
        ),
    },
  },
  {
    id: 'script-in-upload-dir',
    severity: 'high',
    title: 'server-side script in an upload directory',
    why: 'Upload directories hold user content; a .php/.jsp/.aspx there is how webshells are planted through upload flaws.',
    match: {
      kind: 'file',
      test: (entry) =>
        when(
          isFile(entry) && /\/uploads?\//i.test(entry.name) && serverScriptExtension.test(entry.name),
          () => describe(entry),
        ),
    },
  },
  {
    id: 'executable-in-upload-dir',
    severity: 'high',
    title: 'executable file in an upload directory',
    why: 'Uploads are user content and never need the execute bit; a tool too big to collect is still seen here.',
    match: {
      kind: 'file',
      test: (entry) =>
        when(isExecutable(entry.mode) && /\/uploads?\//i.test(entry.name), () => describe(entry)),
    },
  },
  {
    id: 'kernel-thread-named-file',
    severity: 'high',
    title: 'file named like a kernel thread',
    why: 'A binary called kworker or ksoftirqd is named to pass as a kernel thread in a process list.',
    match: {
      kind: 'file',
      test: (entry) =>
        when(isFile(entry) && kernelThreadName.test(baseName(entry.name)), () => describe(entry)),
    },
  },
  {
    id: 'hidden-directory-name',
    severity: 'high',
    title: 'directory named to be overlooked (dots or spaces)',
    why: 'Names like "...", ". " or all spaces look like . and .. or nothing in a listing; intruders hide tools there.',
    match: {
      kind: 'file',
      test: (entry) => {
        const name = baseName(entry.name);
        const odd =
          /^\.{3,}$/.test(name) ||
          (/^[\s.]+$/.test(name) && /\s/.test(name)) ||
          (name !== name.trim() && name !== '');
        return when(isDirectory(entry) && odd, () => `directory ${entry.name} (name: ${spelled(name)})`);
      },
    },
  },
  {
    id: 'hidden-directory-in-writable',
    severity: 'medium',
    title: 'hidden directory in /tmp, /var/tmp or /dev/shm',
    why: 'Dot-directories in world-writable places are where droppers keep their payloads (besides the usual X11 ones).',
    match: {
      kind: 'file',
      test: (entry) => {
        const name = baseName(entry.name);
        const hidden = name.startsWith('.') && name !== '.' && !usualHiddenTmpEntries.has(name);
        return when(isDirectory(entry) && writableDirectory.test(entry.name) && hidden, () =>
          describe(entry),
        );
      },
    },
  },
  {
    id: 'control-characters-in-name',
    severity: 'medium',
    title: 'file name with control or invisible characters',
    why: 'Control and bidirectional characters in a name disguise it in listings and terminals.',
    match: {
      kind: 'file',
      test: (entry) => when(invisibleCharacters.test(entry.name), () => describe(entry)),
    },
  },
  {
    id: 'ld-so-preload',
    severity: 'high',
    title: '/etc/ld.so.preload is set (library injected into every process)',
    why: 'Preloaded libraries hide processes and files (libprocesshider) or hook credentials.',
    match: {
      kind: 'content',
      test: (file) =>
        when(file.source === '/etc/ld.so.preload' && file.text.trim() !== '', () => file.text.trim()),
    },
  },
  {
    id: 'elf-out-of-place',
    severity: 'high',
    title: 'ELF binary where none belongs',
    why: 'A Linux executable in a web root, upload or temp directory, a home, or behind a data extension (.jpg, .php) was dropped there.',
    match: {
      kind: 'content',
      test: (file) =>
        when(
          file.text.startsWith(elfMagic) &&
            !file.source.startsWith('/proc/') &&
            (droppedToolPlace.test(file.source) || dataExtension.test(file.source)),
          () => `ELF header (7f 45 4c 46) in ${file.source}`,
        ),
    },
  },
  {
    id: 'account-uid0',
    severity: 'critical',
    title: 'account other than root with uid 0',
    why: 'A second uid-0 account is a root backdoor that survives a root password change.',
    match: { kind: 'account', test: (a) => when(a.uid === 0 && a.name !== 'root', () => a.line) },
  },
  {
    id: 'account-no-password',
    severity: 'high',
    title: 'account with an empty password field',
    why: 'An empty password field in /etc/passwd lets anyone su to that account without a password.',
    match: { kind: 'account', test: (a) => when(a.password === '', () => a.line) },
  },
  {
    id: 'account-service-login-shell',
    severity: 'medium',
    title: 'service account with a login shell',
    why: 'System accounts (daemon, www-data, nobody…) normally have nologin; a shell there is a backdoor login.',
    match: { kind: 'account', test: (a) => when(isServiceAccount(a) && hasLoginShell(a), () => a.line) },
  },
  {
    id: 'cloud-metadata-connection',
    severity: 'high',
    title: 'connection to the cloud instance metadata service',
    why: 'A pod talking to 169.254.169.254 (or ECS/Alibaba equivalents) can take the node’s cloud credentials.',
    match: {
      kind: 'connection',
      test: (c) =>
        when(
          metadataAddresses.has(c.remoteAddress),
          () =>
            `${c.protocol} ${c.localAddress}:${c.localPort} → ${c.remoteAddress}:${c.remotePort} ${c.state}`,
        ),
    },
  },
  {
    id: 'unusual-port',
    severity: 'medium',
    title: 'connection on a port used by shells and miners',
    why: 'Ports like 4444, 3333 and 31337 are defaults of reverse shells and mining pools.',
    match: {
      kind: 'connection',
      test: (c) =>
        when(
          unusualPorts.has(c.remotePort) || (c.state === 'LISTEN' && unusualPorts.has(c.localPort)),
          () =>
            `${c.protocol} ${c.localAddress}:${c.localPort} → ${c.remoteAddress}:${c.remotePort} ${c.state}`,
        ),
    },
  },
];
