import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { type ExecPeer, type PeerPod, startExecPeer } from '../../test/support/exec-peer.js';
import { odHex, paxFile, tarArchive, tarEntry } from '../../test/support/tar.js';

/** The collector's nonce, read from its script as a compromised container can read it from /proc. */
function nonceOf(command: readonly string[]): string {
  return /^N=([0-9a-f]+)$/m.exec(command.at(-1) ?? '')?.[1] ?? 'none';
}

function stream(
  command: readonly string[],
  sections: readonly (readonly [string, string, Buffer])[],
): Buffer {
  const nonce = nonceOf(command);
  return Buffer.concat([
    ...sections.flatMap(([kind, id, body]) => [Buffer.from(`\n##GH1 ${nonce} ${kind} ${id}\n`), body]),
    Buffer.from(`\n##GH1 ${nonce} end done\n`),
  ]);
}

const hex = (text: string) => Buffer.from(odHex(Buffer.from(text)));

/** Names no filesystem can hold as sent, as a container whose tar was replaced can send them. */
function hostileOutput(command: readonly string[]): Buffer {
  const longPath = `/data/${Array.from({ length: 35 }, (_, index) => `${index}-${'n'.repeat(90)}`).join('/')}/leaf`;
  const tar = Buffer.concat([
    tarEntry({ name: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' }),
    tarEntry({ name: 'tmp/x', data: 'a file named x\n' }),
    tarEntry({ name: 'tmp/x/y', data: 'a file inside x\n' }),
    paxFile(longPath, 'long\n'),
    paxFile(`/tmp/${'d/'.repeat(1500)}bottom`, 'deep\n'),
    ...Array.from({ length: 400 }, (_, index) => tarEntry({ name: 'tmp/same', data: `copy ${index}\n` })),
    tarArchive([]),
  ]);
  return stream(command, [
    ['hex', 'live.date', hex('2026-12-01T00:00:00Z\n')],
    ['hex', 'live.date', hex('a forged second answer\n')],
    ['tar', 'files.etc', tar],
  ]);
}

function benignOutput(command: readonly string[]): Buffer {
  return stream(command, [
    ['hex', 'live.date', hex('2026-12-01T00:00:00Z\n')],
    ['tar', 'files.etc', tarArchive([{ name: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' }])],
  ]);
}

const pods: PeerPod[] = [
  { namespace: 'shop', name: 'hostile', container: 'main', labels: { app: 'shop' }, stdout: hostileOutput },
  { namespace: 'shop', name: 'benign', container: 'main', labels: { app: 'shop' }, stdout: benignOutput },
];

describe('acquire against a hostile container, through a real exec WebSocket on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-hostile-'));
  const env = { GATEHOUSE_HOME: join(dir, 'home'), GATEHOUSE_OPERATOR: 'responder' };
  let peer: ExecPeer;
  beforeAll(async () => {
    peer = await startExecPeer(pods);
  });
  afterAll(() => peer.close());

  it('seals both packages of a parallel run, records each unstorable name as an anomaly, and ends every audit session', async () => {
    const kubeconfig = peer.kubeconfig(dir);
    const run = await cli(
      [
        '--kubeconfig',
        kubeconfig,
        'acquire',
        '-l',
        'app=shop',
        '-n',
        'shop',
        '--method',
        'exec',
        '-o',
        'json',
      ],
      env,
    );
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout).items as {
      target: string;
      package: string;
      packageHash: string;
      root: string;
    }[];
    expect(rows.map((row) => row.target).sort()).toEqual(['shop/benign/main', 'shop/hostile/main']);
    for (const row of rows) expect((await cli(['evidence', 'verify', row.package], env)).code).toBe(0);

    const hostile = rows.find((row) => row.target === 'shop/hostile/main')!;
    const manifest = JSON.parse(readFileSync(join(hostile.root, 'manifest.json'), 'utf8')).items as {
      path: string;
      source: string;
      anomaly?: string;
    }[];
    const renamed = manifest.filter((item) => item.path.startsWith('renamed/'));
    expect(renamed.map((item) => item.source.slice(0, 12)).sort()).toEqual([
      '/data/0-nnnn',
      '/tmp/d/d/d/d',
      '/tmp/x/y',
    ]);
    for (const item of renamed) expect(item.anomaly).toMatch(/caps: 1024 bytes|already stored as a file/);
    expect(manifest.filter((item) => item.source === '/tmp/same')).toHaveLength(400);
    expect(readFileSync(join(hostile.root, 'live', 'live.date.out.dup-2'), 'utf8')).toBe(
      'a forged second answer\n',
    );
    const custody = JSON.parse(readFileSync(join(hostile.root, 'custody.json'), 'utf8')) as {
      errors: string[];
    };
    expect(custody.errors.some((line) => line.includes('section live.date was sent again'))).toBe(true);
    expect(custody.errors.filter((line) => line.includes('stored as renamed/'))).toHaveLength(3);

    const benign = rows.find((row) => row.target === 'shop/benign/main')!;
    expect(readFileSync(join(benign.root, 'files', 'etc', 'passwd'), 'utf8')).toBe(
      'root:x:0:0::/root:/bin/sh\n',
    );

    const events = (await cli(['audit', 'export'], env)).stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { target: string; outcome: string; details: { packageHash?: string } },
      );
    for (const row of rows) {
      const session = events.filter((event) => event.target === row.target);
      expect(session.map((event) => event.outcome)).toEqual(['started', 'succeeded']);
      expect(session[1]?.details.packageHash).toBe(row.packageHash);
    }
  });
});
