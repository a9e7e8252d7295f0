import { type Facts, factsOf, type OpenPackage } from './triage.js';

export type IndicatorSeverity = 'critical' | 'high' | 'medium' | 'low';

export interface Indicator {
  readonly id: string;
  readonly severity: IndicatorSeverity;
  readonly title: string;
  /** Why it fired: the evidence, quoted. */
  readonly reason: string;
  /** Where in the package: a source path or `process <pid>`. */
  readonly where: string;
}

const writable = /^\/(tmp|var\/tmp|dev\/shm)(\/|$)/;
const minerPattern =
  /\b(xmrig|xmr-stak|minerd|cpuminer|cgminer|kinsing|kdevtmpfsi|t-rex|nbminer|lolminer)\b|stratum\+(tcp|ssl):\/\/|--donate-level|cryptonight|randomx/i;
const reverseShellPatterns: readonly [RegExp, string][] = [
  [/\b(nc|ncat|netcat)\b[^\n]*\s-e\s*\S*sh\b/, 'netcat executing a shell'],
  [/\/dev\/(tcp|udp)\/[^\s/]+\/\d+/, 'bash /dev/tcp redirection'],
  [/\bsocat\b[^\n]*exec:/i, 'socat exec'],
  [/\b(python[23]?|perl|ruby|php)\b[^\n]*socket[^\n]*(connect|fsockopen)/i, 'scripted socket shell'],
  [/\b(curl|wget)\b[^\n|]*\|\s*(ba|da|a)?sh\b/, 'download piped into a shell'],
  [/base64\s+(-d|--decode)[^\n|]*\|\s*(ba|da|a)?sh\b/, 'decoded payload piped into a shell'],
];
const unusualPorts = new Set([1337, 3333, 4444, 5555, 6666, 6667, 7777, 8888, 9999, 14444, 31337, 45700]);

/** Indicators of compromise with the evidence that triggered each. */
export function findIndicators(pkg: OpenPackage, facts: Facts = factsOf(pkg)): Indicator[] {
  const found: Indicator[] = [];
  const add = (indicator: Indicator) => {
    if (!found.some((existing) => existing.id === indicator.id && existing.where === indicator.where))
      found.push(indicator);
  };
  for (const process of facts.processes) {
    const command = process.cmdline.join(' ');
    const where = `process ${process.pid}`;
    if (process.exe.endsWith('(deleted)'))
      add({
        id: 'deleted-binary',
        severity: 'high',
        title: 'process runs a deleted binary',
        reason: `exe ${process.exe}`,
        where,
      });
    if (writable.test(process.exe))
      add({
        id: 'exec-from-writable',
        severity: 'high',
        title: 'process runs a binary from a world-writable directory',
        reason: `exe ${process.exe}`,
        where,
      });
    const miner = minerPattern.exec(`${process.name} ${command}`);
    if (miner)
      add({
        id: 'miner',
        severity: 'critical',
        title: 'cryptocurrency miner',
        reason: `"${miner[0]}" in ${command.slice(0, 200)}`,
        where,
      });
    for (const [pattern, name] of reverseShellPatterns) {
      if (pattern.test(command))
        add({
          id: 'reverse-shell',
          severity: 'critical',
          title: `reverse shell (${name})`,
          reason: command.slice(0, 200),
          where,
        });
    }
  }
  for (const file of facts.files) {
    const executable =
      /^-..[xsS]/.test(file.mode) || /^-.....[xsS]/.test(file.mode) || /^-........[xtT]/.test(file.mode);
    if (writable.test(file.name) && executable)
      add({
        id: 'executable-in-writable',
        severity: 'high',
        title: 'executable file in /tmp, /var/tmp or /dev/shm',
        reason: `${file.mode} ${file.name}`,
        where: file.name,
      });
    if (/^-..[sS]|^-.....[sS]/.test(file.mode) && writable.test(file.name))
      add({
        id: 'suid-in-writable',
        severity: 'critical',
        title: 'SUID/SGID file in a world-writable directory',
        reason: `${file.mode} ${file.name}`,
        where: file.name,
      });
  }
  for (const listed of pkg.text('list.suid').split('\n').filter(Boolean)) {
    const path = listed.startsWith('./') ? listed.slice(1) : listed;
    if (writable.test(path))
      add({
        id: 'suid-in-writable',
        severity: 'critical',
        title: 'SUID/SGID file in a world-writable directory',
        reason: path,
        where: path,
      });
  }
  const preload = pkg.files((item) => item.source === '/etc/ld.so.preload')[0];
  if (preload?.text.trim())
    add({
      id: 'ld-so-preload',
      severity: 'high',
      title: '/etc/ld.so.preload is set (library injected into every process)',
      reason: preload.text.trim().slice(0, 200),
      where: '/etc/ld.so.preload',
    });
  for (const { item, text } of pkg.files((candidate) => candidate.artifact === 'files.history')) {
    for (const line of text.split('\n')) {
      for (const [pattern, name] of reverseShellPatterns)
        if (pattern.test(line))
          add({
            id: 'history-reverse-shell',
            severity: 'high',
            title: `shell history: ${name}`,
            reason: line.slice(0, 200),
            where: `${item.source}: ${line.slice(0, 60)}`,
          });
      if (minerPattern.test(line))
        add({
          id: 'history-miner',
          severity: 'high',
          title: 'shell history mentions a miner',
          reason: line.slice(0, 200),
          where: item.source,
        });
      if (/serviceaccount\/token/.test(line))
        add({
          id: 'history-token-read',
          severity: 'medium',
          title: 'shell history reads the service-account token',
          reason: line.slice(0, 200),
          where: item.source,
        });
      if (/^\s*(history\s+-c|unset\s+HISTFILE|export\s+HISTFILE=\/dev\/null)/.test(line))
        add({
          id: 'history-cleared',
          severity: 'medium',
          title: 'shell history was cleared or disabled',
          reason: line.slice(0, 200),
          where: item.source,
        });
    }
  }
  for (const { item, text } of pkg.files(
    (candidate) => candidate.artifact === 'files.cron' || candidate.source.includes('/crontabs/'),
  )) {
    for (const line of text.split('\n')) {
      if (!line.startsWith('#') && /\b(curl|wget)\b[^\n]*\|\s*(ba|da|a)?sh\b/.test(line))
        add({
          id: 'cron-download',
          severity: 'high',
          title: 'crontab downloads and runs code',
          reason: line.slice(0, 200),
          where: item.source,
        });
    }
  }
  for (const connection of facts.connections) {
    const port = unusualPorts.has(connection.remotePort)
      ? connection.remotePort
      : connection.state === 'LISTEN' && unusualPorts.has(connection.localPort)
        ? connection.localPort
        : undefined;
    if (port !== undefined)
      add({
        id: 'unusual-port',
        severity: 'medium',
        title: `connection on a port used by shells and miners (${port})`,
        reason: `${connection.protocol} ${connection.localAddress}:${connection.localPort} → ${connection.remoteAddress}:${connection.remotePort} ${connection.state}`,
        where: 'live.net',
      });
  }
  const order: IndicatorSeverity[] = ['critical', 'high', 'medium', 'low'];
  return found.sort(
    (a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || a.id.localeCompare(b.id),
  );
}
