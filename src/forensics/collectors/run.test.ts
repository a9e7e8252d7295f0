import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecPeer, startExecPeer } from '../../../test/support/exec-peer.js';
import { odHex, tarArchive } from '../../../test/support/tar.js';
import { isAppError } from '../../errors.js';
import { KubeClient, loadKubeconfig } from '../../kube/index.js';
import { EvidenceWriter } from '../evidence/writer.js';
import { runCollector } from './run.js';

const nonce = 'c0ffee';
const output = () =>
  Buffer.from(
    [
      `\n##GH1 ${nonce} hex live.date\n${odHex(Buffer.from('now\n'))}`,
      `\n##GH1 ${nonce} hex live.date\n${odHex(Buffer.from('again\n'))}`,
      `\n##GH1 ${nonce} tar files.etc\n`,
    ].join(''),
  );
const stream = () =>
  Buffer.concat([
    output(),
    tarArchive([{ name: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' }]),
    Buffer.from(`\n##GH1 ${nonce} end done\n`),
  ]);

describe('running the collector over a real exec WebSocket', () => {
  let peer: ExecPeer;
  let client: KubeClient;
  beforeAll(async () => {
    peer = await startExecPeer([
      { namespace: 'ns', name: 'one', container: 'main', labels: {}, stdout: stream },
      { namespace: 'ns', name: 'two', container: 'main', labels: {}, stdout: stream },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-run-'));
    client = new KubeClient(loadKubeconfig({ path: peer.kubeconfig(dir) }).config);
  });
  afterAll(() => peer.close());

  const collect = (pod: string, log: (line: string) => void) => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-run-package-'));
    const writer = new EvidenceWriter({ root, method: 'exec', log });
    const done = runCollector({
      client,
      target: { namespace: 'ns', pod, container: 'main' },
      script: `N=${nonce}\n`,
      nonce,
      writer,
      log,
    });
    return { root, writer, done };
  };

  it('turns a failure inside the stream callback into an error of that run alone, while a parallel run completes', async () => {
    const failing = collect('one', (line) => {
      if (line.startsWith('ANOMALY')) throw new Error('ENOSPC: no space left on device, write');
    });
    const lines: string[] = [];
    const healthy = collect('two', (line) => lines.push(line));
    const [failed, completed] = await Promise.allSettled([failing.done, healthy.done]);
    expect(failed.status).toBe('rejected');
    const reason = (failed as PromiseRejectedResult).reason;
    expect(isAppError(reason) && reason.code).toBe('internal');
    expect(String(reason.message)).toContain('handling the output of the collector failed: ENOSPC');
    // What arrived before the failure is closed and hashed, ready to be sealed; nothing is left open.
    expect(failing.writer.items.map((item) => item.path)).toEqual([
      'live/live.date.out',
      'live/live.date.out.dup-2',
    ]);
    expect(completed.status).toBe('fulfilled');
    expect(readFileSync(join(healthy.root, 'files', 'etc', 'passwd'), 'utf8')).toContain('root:x');
    expect(lines.some((line) => line.includes('section live.date was sent again'))).toBe(true);
  });
});
