import { describe, expect, it } from 'vitest';
import {
  decodeAddress,
  parseConnections,
  parseProcesses,
  parseStat,
  parseStatLines,
  toBodyfile,
} from './parse.js';

describe('collector output parsers', () => {
  it('reads a process name with spaces and parentheses from /proc/PID/stat', () => {
    expect(parseStat('42 (evil) (x) S 1 42 42 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 123456 0 0')).toEqual({
      name: 'evil) (x',
      state: 'S',
      ppid: 1,
      startTicks: 123456,
    });
  });

  it('parses processes and keeps only plausible environment variable names', () => {
    const [process] = parseProcesses(
      '@pid 7\n@stat 7 (nc) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0\n@exe /usr/bin/nc\n@cmdline nc\u0001-e\u0001/bin/sh\u0001\n@envnames PATH HOME bad=value $(x)\n@status Uid:\t1000\t1000\t1000\t1000\n@fd 3 socket:[123]\n',
    );
    expect(process).toMatchObject({
      pid: 7,
      ppid: 1,
      name: 'nc',
      cmdline: ['nc', '-e', '/bin/sh'],
      envNames: ['PATH', 'HOME'],
      uid: 1000,
      startTicks: 500,
      fds: [{ fd: 3, target: 'socket:[123]' }],
    });
  });

  it('decodes IPv4 and IPv6 socket addresses and TCP states', () => {
    expect(decodeAddress('0100007F:115C')).toEqual({ address: '127.0.0.1', port: 4444 });
    expect(decodeAddress('00000000000000000000000001000000:0050')).toEqual({
      address: '0:0:0:0:0:0:0:1',
      port: 80,
    });
    const [connection] = parseConnections(
      '@table tcp\n  sl  local_address rem_address st\n   0: 0100007F:9E08 0100007F:115C 01 0:0 0:0 0 0 0 48490\n',
    );
    expect(connection).toMatchObject({ protocol: 'tcp', remotePort: 4444, state: 'ESTABLISHED' });
  });

  it('turns stat lines into a TSK 3.x bodyfile, names relative to the target root made absolute', () => {
    const entries = parseStatLines(
      '12|-rwsr-xr-x|0|0|100|1|2|3|./tmp/a|b\ngarbage line\n13|drwxr-xr-x|0|0|4096|1|2|3|.\n',
    );
    expect(entries.map((entry) => entry.name)).toEqual(['/tmp/a|b', '/']);
    expect(toBodyfile(entries)).toBe(
      '0|/tmp/a?b|12|-rwsr-xr-x|0|0|100|1|2|3|0\n0|/|13|drwxr-xr-x|0|0|4096|1|2|3|0\n',
    );
  });
});
