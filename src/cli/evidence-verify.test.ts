import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { tarArchive } from '../../test/support/tar.js';
import { publicKeyPem } from '../audit/index.js';
import { newSigner } from '../audit/keys.js';
import { filesOf } from '../console/evidence-data.js';
import { tarFiles } from '../console/tar-stream.js';
import {
  type CustodyRecord,
  createPackageDir,
  sealPackage,
  sha256,
  writeManifest,
} from '../forensics/index.js';
import { openStore } from '../store/index.js';
import { recordSealed } from './commands/evidence-anchor.js';

function custody(packageId: string): CustodyRecord {
  const at = new Date().toISOString();
  return {
    packageId,
    operator: 'responder',
    kubernetesIdentity: undefined,
    cluster: { context: 'test', server: 'https://127.0.0.1:6443' },
    target: {
      namespace: 'dev',
      pod: 'web',
      podUid: 'uid',
      container: 'app',
      containerId: 'containerd://1',
      node: 'node-1',
      image: 'nginx',
      imageDigest: `sha256:${'0'.repeat(64)}`,
    },
    method: 'exec',
    gatehouseVersion: 'test',
    collector: { profile: 'default', sha256: '0'.repeat(64) },
    startedAt: at,
    finishedAt: at,
    bytesReceived: 0,
    errors: [],
    partialItems: [],
  };
}

/** What someone with write access to the files can do: new content, a new manifest, a new seal. */
function rewriteAsAWhole(root: string, packageId: string, text: string): void {
  writeFileSync(join(root, 'files/etc/passwd'), text);
  writeManifest(root, [passwdItem(text)]);
  sealPackage(root, custody(packageId));
}

function passwdItem(text: string) {
  return {
    path: 'files/etc/passwd',
    source: '/etc/passwd',
    artifact: 'accounts',
    method: 'exec' as const,
    type: 'file' as const,
    status: 'collected' as const,
    sha256: sha256(text),
    size: Buffer.byteLength(text),
  };
}

/** A package sealed and recorded exactly as `gatehouse acquire` does, in a fresh data directory. */
async function sealedPackage(): Promise<{ home: string; id: string; root: string }> {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-evidence-'));
  const { id, root } = createPackageDir(join(home, 'evidence'));
  mkdirSync(join(root, 'files/etc'), { recursive: true });
  const text = 'root:x:0:0::/root:/bin/sh\n';
  writeFileSync(join(root, 'files/etc/passwd'), text);
  writeManifest(root, [passwdItem(text)]);
  writeFileSync(join(root, 'acquisition.log'), 'started\n');
  const packageHash = sealPackage(root, custody(id));
  const store = await openStore({ dataDir: home });
  try {
    const event = { actor: 'responder', action: 'forensics.acquire', target: 'dev/web/app' };
    await recordSealed(store, event, { id, root, packageHash, custody: custody(id) });
  } finally {
    await store.close();
  }
  return { home, id, root };
}

describe('evidence verify', () => {
  it('finds a package rewritten as a whole (file, manifest and package hash) by the signed audit entry', async () => {
    const { home, id, root } = await sealedPackage();
    expect((await cli(['evidence', 'verify', id], { GATEHOUSE_HOME: home })).stdout).toMatch(
      /^VERIFIED: 1 files/,
    );
    rmSync(join(root, 'package.sig'), { force: true });
    rewriteAsAWhole(root, id, 'mallory::0:0::/:/bin/sh\n');
    const run = await cli(['evidence', 'verify', id], { GATEHOUSE_HOME: home });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED/);
    expect(run.stdout).toMatch(/differs from the one in audit entry \d+ .*: the package was rewritten/);
  });

  it('checks a handed-over package with the public key alone, through the signature file', async () => {
    const { home, id, root } = await sealedPackage();
    const publicKey = join(home, 'audit.pub');
    writeFileSync(publicKey, (await cli(['audit', 'public-key'], { GATEHOUSE_HOME: home })).stdout);
    const elsewhere = mkdtempSync(join(tmpdir(), 'gatehouse-auditor-'));
    cpSync(root, join(elsewhere, 'evidence', id), { recursive: true });
    const auditor = { GATEHOUSE_HOME: elsewhere };
    const intact = await cli(['evidence', 'verify', id, '--public-key', publicKey], auditor);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('checked against package.sig, signed by key');
    rewriteAsAWhole(join(elsewhere, 'evidence', id), id, 'mallory::0:0::/:/bin/sh\n');
    const rewritten = await cli(['evidence', 'verify', id, '--public-key', publicKey], auditor);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain('differs from the one signed at seal time');
    const stranger = join(elsewhere, 'stranger.pub');
    writeFileSync(stranger, publicKeyPem(newSigner().publicKey));
    const forged = await cli(['evidence', 'verify', id, '--public-key', stranger], auditor);
    expect(forged.stdout).toContain('package.sig is not signed by a trusted key');
  });

  it('compares with a hash given by hand, and says plainly when only self-consistency could be checked', async () => {
    const { home, id, root } = await sealedPackage();
    const elsewhere = mkdtempSync(join(tmpdir(), 'gatehouse-auditor-'));
    cpSync(root, join(elsewhere, 'evidence', id), { recursive: true });
    rmSync(join(elsewhere, 'evidence', id, 'package.sig'));
    const auditor = { GATEHOUSE_HOME: elsewhere };
    const alone = await cli(['evidence', 'verify', id], auditor);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toMatch(/^SELF-CONSISTENT ONLY: 1 files/);
    expect(alone.stdout).toContain('only self-consistency could be checked');
    const json = JSON.parse(
      (await cli(['evidence', 'verify', id, '-o', 'json'], { GATEHOUSE_HOME: home })).stdout,
    );
    const wrong = await cli(['evidence', 'verify', id, '--expected-hash', 'f'.repeat(64)], auditor);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`not the ${'f'.repeat(64)} given`);
    const right = await cli(['evidence', 'verify', id, '--expected-hash', json.packageHash], auditor);
    expect(right.stdout).toMatch(/^VERIFIED/);
  });

  it('checks a downloaded package .tar offline with the public key, and refuses an archive leading outside its folder', async () => {
    const { home, id, root } = await sealedPackage();
    const publicKey = join(home, 'audit.pub');
    writeFileSync(publicKey, (await cli(['audit', 'public-key'], { GATEHOUSE_HOME: home })).stdout);
    const elsewhere = mkdtempSync(join(tmpdir(), 'gatehouse-auditor-'));
    const archive = join(elsewhere, `${id}.tar`);
    const chunks: Buffer[] = [];
    for await (const chunk of tarFiles(root, id, filesOf(root))) chunks.push(chunk);
    writeFileSync(archive, Buffer.concat(chunks));
    const auditor = { GATEHOUSE_HOME: elsewhere };
    const intact = await cli(['evidence', 'verify', archive, '--public-key', publicKey], auditor);
    expect(intact.stdout).toMatch(/^VERIFIED: 1 files/);
    expect(intact.stdout).toContain('checked against package.sig, signed by key');
    const hostile = join(elsewhere, 'hostile.tar');
    writeFileSync(hostile, tarArchive([{ name: `${id}/../../escaped`, data: 'x' }]));
    const refused = await cli(['evidence', 'verify', hostile, '--public-key', publicKey], auditor);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('which points outside its folder');
  });
});
