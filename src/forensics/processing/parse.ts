/**
 * Pure parsers of what the collector returned. The input is hostile: every field is checked and
 * anything unexpected is skipped, never trusted (no eval, no paths opened from it).
 */

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly state: string;
  /** Clock ticks after boot (field 22 of /proc/PID/stat). */
  readonly startTicks: number;
  readonly uid: number;
  readonly cmdline: readonly string[];
  readonly exe: string;
  readonly cwd: string;
  readonly envNames: readonly string[];
  readonly fds: readonly { readonly fd: number; readonly target: string }[];
}

export function parseProcesses(text: string): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  type Draft = { -readonly [K in keyof ProcessInfo]?: ProcessInfo[K] } & {
    fds: { fd: number; target: string }[];
  };
  let current: Draft = { fds: [] };
  const flush = () => {
    if (current.pid !== undefined) {
      processes.push({
        pid: current.pid,
        ppid: current.ppid ?? 0,
        name: current.name ?? '',
        state: current.state ?? '',
        startTicks: current.startTicks ?? 0,
        uid: current.uid ?? -1,
        cmdline: current.cmdline ?? [],
        exe: current.exe ?? '',
        cwd: current.cwd ?? '',
        envNames: current.envNames ?? [],
        fds: current.fds,
      });
    }
    current = { fds: [] };
  };
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    const tag = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1);
    switch (tag) {
      case '@pid':
        flush();
        if (/^\d+$/.test(value)) current.pid = Number(value);
        break;
      case '@stat':
        Object.assign(current, parseStat(value));
        break;
      case '@exe':
        current.exe = value;
        break;
      case '@cwd':
        current.cwd = value;
        break;
      case '@cmdline':
        current.cmdline = value
          .split('\u0001')
          .filter((arg, index, all) => index < all.length - 1 || arg !== '');
        break;
      case '@envnames':
        current.envNames = value.split(' ').filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
        break;
      case '@status':
        if (value.startsWith('Uid:')) current.uid = Number(value.split(/\s+/)[1] ?? -1);
        break;
      case '@fd': {
        const [fd, ...target] = value.split(' ');
        if (/^\d+$/.test(fd ?? '')) current.fds.push({ fd: Number(fd), target: target.join(' ') });
        break;
      }
      default:
        break;
    }
  }
  flush();
  return processes;
}

/** /proc/PID/stat: the name sits in parentheses and may itself contain spaces and parentheses. */
export function parseStat(
  stat: string,
): { name: string; state: string; ppid: number; startTicks: number } | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  return {
    name: stat.slice(open + 1, close),
    state: fields[0] ?? '',
    ppid: Number(fields[1] ?? 0),
    startTicks: Number(fields[19] ?? 0),
  };
}

export interface Connection {
  readonly protocol: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly state: string;
  readonly inode: string;
}

const tcpStates: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** /proc/net/{tcp,tcp6,udp,udp6} as the collector returns them (`@table NAME` before each). */
export function parseConnections(text: string): Connection[] {
  const connections: Connection[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('@table ')) {
      table = line.slice(7).trim();
      continue;
    }
    if (!['tcp', 'tcp6', 'udp', 'udp6'].includes(table)) continue;
    const fields = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(fields[0] ?? '')) continue;
    const local = decodeAddress(fields[1] ?? '');
    const remote = decodeAddress(fields[2] ?? '');
    if (!local || !remote) continue;
    connections.push({
      protocol: table,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state: table.startsWith('tcp') ? (tcpStates[fields[3] ?? ''] ?? fields[3] ?? '') : 'UDP',
      inode: fields[9] ?? '',
    });
  }
  return connections;
}

/** `0100007F:115C` → 127.0.0.1:4444 (little-endian words, as the kernel prints them). */
export function decodeAddress(text: string): { address: string; port: number } | undefined {
  const [hex, portHex] = text.split(':');
  if (!hex || !portHex || !/^[0-9A-Fa-f]+$/.test(hex) || !/^[0-9A-Fa-f]{4}$/.test(portHex)) return undefined;
  const port = Number.parseInt(portHex, 16);
  if (hex.length === 8) {
    const bytes = Buffer.from(hex, 'hex').reverse();
    return { address: [...bytes].join('.'), port };
  }
  if (hex.length === 32) {
    const words = (hex.match(/.{8}/g) ?? []).map((word) =>
      Buffer.from(word, 'hex').reverse().toString('hex'),
    );
    const groups = words.join('').match(/.{4}/g) ?? [];
    return { address: groups.map((group) => group.replace(/^0+(?=.)/, '')).join(':'), port };
  }
  return undefined;
}

export interface BodyfileEntry {
  readonly name: string;
  readonly inode: string;
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly atime: number;
  readonly mtime: number;
  readonly ctime: number;
}

/** The collector's `stat -c '%i|%A|%u|%g|%s|%X|%Y|%Z|%n'` lines. */
export function parseStatLines(text: string): BodyfileEntry[] {
  const entries: BodyfileEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split('|');
    if (fields.length < 9) continue;
    const [inode, mode, uid, gid, size, atime, mtime, ctime] = fields;
    // The collector lists from the target's root (`./etc/passwd`); the bodyfile wants `/etc/passwd`.
    const raw = fields.slice(8).join('|');
    const name = raw === '.' ? '/' : raw.startsWith('./') ? raw.slice(1) : raw;
    if (!/^\d+$/.test(inode ?? '') || !/^[-dlcbps?][-rwxsStT]{9}$/.test(mode ?? '')) continue;
    entries.push({
      name,
      inode: inode!,
      mode: mode!,
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      atime: Number(atime),
      mtime: Number(mtime),
      ctime: Number(ctime),
    });
  }
  return entries;
}

/** One TSK 3.x bodyfile line: MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime. */
export function bodyfileLine(entry: BodyfileEntry): string {
  const name = entry.name.replace(/[|\n\r]/g, '?');
  return `0|${name}|${entry.inode}|${entry.mode}|${entry.uid}|${entry.gid}|${entry.size}|${entry.atime}|${entry.mtime}|${entry.ctime}|0\n`;
}

export function toBodyfile(entries: readonly BodyfileEntry[]): string {
  return entries.map(bodyfileLine).join('');
}
