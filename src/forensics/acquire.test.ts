import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecPeer, startExecPeer } from '../../test/support/exec-peer.js';
import { person, responder } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { odHex } from '../../test/support/tar.js';
import { audited, listAudit, localPublicKey, trustedKeys } from '../audit/index.js';
import { type AppError, isAppError } from '../errors.js';
import { KubeClient, loadKubeconfig } from '../kube/index.js';
import { acquireContainer } from './acquire.js';
import { acquireAudited } from './acquire-audited.js';
import { packageAnchors } from './evidence/anchors.js';
import { verifyPackage } from './evidence/package.js';
import { defaultProfile } from './profile.js';

/** A long command section, so the stream arrives in several WebSocket messages. */
function output(command: readonly string[]): Buffer {
  const nonce = /^N=([0-9a-f]+)$/m.exec(command.at(-1) ?? '')?.[1] ?? 'none';
  const processes = Buffer.from('@pid 1\n'.repeat(10_000));
  return Buffer.from(`\n##GH1 ${nonce} hex live.processes\n${odHex(processes)}\n##GH1 ${nonce} end done\n`);
}

describe.each(dialects)('an acquisition that fails mid-stream (audit on %s)', (dialect) => {
  let peer: ExecPeer;
  let client: KubeClient;
  beforeAll(async () => {
    peer = await startExecPeer([
      { namespace: 'ns', name: 'web', container: 'main', labels: {}, stdout: output },
    ]);
    client = new KubeClient(
      loadKubeconfig({ path: peer.kubeconfig(mkdtempSync(join(tmpdir(), 'gatehouse-acq-'))) }).config,
    );
  });
  afterAll(() => peer.close());

  it('seals what arrived, names the package in the error, and ends the audit session as failed with its hash', async () => {
    const { store, cleanup } = await freshStore(dialect);
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-acq-evidence-'));
    const failure = await audited(store, {
      actor: 'alice',
      action: 'forensics.acquire',
      target: 'ns/web/main',
      work: () =>
        acquireContainer({
          client,
          evidenceRoot,
          namespace: 'ns',
          pod: 'web',
          method: 'exec',
          profile: defaultProfile,
          operator: responder('alice'),
          gatehouseVersion: 'test',
          // The caller's progress display breaks once the collector's output starts flowing.
          onProgress: (stage, bytes) => {
            if (stage === 'collect' && bytes > 0) throw new Error('the progress display broke');
          },
        }),
    }).then(
      () => undefined,
      (error: unknown) => error as AppError,
    );
    expect(isAppError(failure)).toBe(true);
    expect(failure?.message).toMatch(/package \S+ is sealed with what arrived/);
    expect(failure?.message).toContain('the progress display broke');
    const root = join(evidenceRoot, failure?.details.package ?? 'missing');
    expect(verifyPackage(root)).toMatchObject({ ok: true, packageHash: failure?.details.packageHash });
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
      items: { path: string }[];
    };
    expect(manifest.items.map((item) => item.path)).toContain('live/live.processes.out');
    const events = await listAudit(store);
    expect(events.map((event) => event.outcome)).toEqual(['started', 'failed']);
    expect(events[1]?.details).toMatchObject({
      package: failure?.details.package,
      packageHash: failure?.details.packageHash,
    });
    await cleanup();
  });
  it('signs the package a failed acquisition sealed, so its hash is proven by the failed entry and package.sig', async () => {
    const { store, cleanup } = await freshStore(dialect);
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-acq-evidence-'));
    const failure = await acquireAudited({
      store,
      client,
      evidenceRoot,
      namespace: 'ns',
      pod: 'web',
      method: 'exec',
      profile: defaultProfile,
      operator: responder('alice'),
      gatehouseVersion: 'test',
      onProgress: (stage, bytes) => {
        if (stage === 'collect' && bytes > 0) throw new Error('the progress display broke');
      },
    }).then(
      () => undefined,
      (error: unknown) => error as AppError,
    );
    const id = failure?.details.package ?? 'missing';
    const root = join(evidenceRoot, id);
    const { packageHash } = verifyPackage(root);
    const key = localPublicKey(store);
    const keys = key ? await trustedKeys(store, key) : undefined;
    const { anchors, notes } = await packageAnchors({ root, id, packageHash, keys, store });
    expect(notes).toEqual([]);
    expect(anchors.map((anchor) => [anchor.kind, anchor.ok])).toEqual([
      ['signature-file', true],
      ['audit-entry', true],
    ]);
    expect(anchors[1]?.detail).toContain('the acquisition failed; sealed with what arrived');
    await cleanup();
  });
});

describe('who may acquire', () => {
  it('refuses someone without the responder role before touching the cluster', async () => {
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-acq-evidence-'));
    // A cluster nobody listens on: reaching it would fail with another error.
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'none', server: 'https://127.0.0.1:1' }],
      users: [{ name: 'none', token: 'x' }],
      contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
      currentContext: 'none',
    });
    const client = new KubeClient(config);
    await expect(
      acquireContainer({
        client,
        evidenceRoot,
        namespace: 'ns',
        pod: 'web',
        method: 'exec',
        profile: defaultProfile,
        operator: person('eve'),
        gatehouseVersion: 'test',
      }),
    ).rejects.toMatchObject({ code: 'auth.forbidden', message: 'eve may not acquire evidence from ns/web' });
  });
});
