import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paxFile, paxRecords, tarArchive, tarEntry, tarHeader } from '../../../test/support/tar.js';
import { extractPackageTar } from './tar-read.js';

function archive(bytes: Buffer): { file: string; into: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tar-read-'));
  const file = join(dir, 'package.tar');
  writeFileSync(file, bytes);
  const into = join(dir, 'out');
  return { file, into };
}

const end = Buffer.alloc(1024);

describe('reading a downloaded package archive', () => {
  it('unpacks regular files, a PAX long name among them, under their one top folder', () => {
    const long = `pkg/files/${'deep/'.repeat(30)}passwd`;
    const { file, into } = archive(
      Buffer.concat([
        tarEntry({ name: 'pkg/manifest.json', data: '{}' }),
        paxFile(long, 'root:x:0:0\n'),
        end,
      ]),
    );
    expect(extractPackageTar(file, into)).toEqual({ top: 'pkg' });
    expect(readFileSync(join(into, 'pkg', 'manifest.json'), 'utf8')).toBe('{}');
    expect(readFileSync(join(into, long), 'utf8')).toBe('root:x:0:0\n');
  });

  it('refuses a link, a second top folder, a cut-short file and a name leading outside, writing nothing outside', () => {
    const cases: [Buffer, RegExp][] = [
      [tarArchive([{ name: 'pkg/link', type: '2', linkName: '/etc/passwd' }]), /is not a regular file/],
      [
        tarArchive([
          { name: 'a/x', data: '1' },
          { name: 'b/y', data: '2' },
        ]),
        /more than one top folder/,
      ],
      [tarEntry({ name: 'pkg/x', data: 'abc', size: 4096 }), /cut short|ends in the middle/],
      [tarArchive([{ name: '../../escaped', data: 'x' }]), /points outside its folder/],
      [tarArchive([{ name: '/etc/escaped', data: 'x' }]), /points outside its folder/],
    ];
    for (const [bytes, message] of cases) {
      const { file, into } = archive(bytes);
      expect(() => extractPackageTar(file, into)).toThrow(message);
      expect(existsSync(join(into, '..', '..', 'escaped'))).toBe(false);
    }
  });

  it('refuses an extended header that claims a huge size without reserving memory for it', () => {
    const claim = tarHeader({ name: 'PaxHeaders/entry', type: 'x', size: 0o7777777777 });
    const { file, into } = archive(Buffer.concat([claim, Buffer.alloc(512), end]));
    const before = process.memoryUsage().arrayBuffers;
    expect(() => extractPackageTar(file, into)).toThrow(/an extended header of 1073741823 bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
  });

  it('refuses a header whose checksum does not match, as a damaged archive', () => {
    const header = tarHeader({ name: 'pkg/manifest.json', data: '{}' });
    header.write('X', 4, 'latin1');
    const { file, into } = archive(Buffer.concat([header, Buffer.from('{}'), Buffer.alloc(510), end]));
    expect(() => extractPackageTar(file, into)).toThrow(/header checksum does not match/);
  });

  it('refuses a name with a NUL byte and a file listed twice with its own message, not a system error', () => {
    const nul = archive(
      Buffer.concat([
        tarEntry({ name: 'PaxHeaders/entry', type: 'x', data: paxRecords({ path: 'pkg/a\u0000b' }) }),
        tarEntry({ name: 'placeholder', data: 'x' }),
        end,
      ]),
    );
    expect(() => extractPackageTar(nul.file, nul.into)).toThrow(/not a readable evidence archive.*NUL/);
    const twice = archive(
      tarArchive([
        { name: 'pkg/a', data: '1' },
        { name: 'pkg/a', data: '2' },
      ]),
    );
    expect(() => extractPackageTar(twice.file, twice.into)).toThrow(/not a readable evidence archive.*twice/);
  });
});
