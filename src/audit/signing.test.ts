import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { openStore, type Store } from '../store/index.js';
import { canonicalJson, genesisHash, hashEvent } from './audit-log.js';
import {
  appendAudit,
  keyIdOf,
  listAudit,
  publicKeyPem,
  readPublicKey,
  rotateAuditKey,
  verifyAudit,
} from './index.js';
import { newSigner } from './keys.js';

describe.each(dialects)('signed audit log on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  async function open(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  }
  const event = (n: number) => ({
    actor: 'alice',
    action: 'access.grant',
    target: `request/${n}`,
    outcome: 'succeeded' as const,
    details: { n },
  });

  it('creates a private Ed25519 key file and signs every entry with it', async () => {
    const store = await open();
    await appendAudit(store, event(1));
    expect(statSync(store.files.auditKey).mode & 0o777).toBe(0o600);
    expect(statSync(store.files.auditCheckpoint).mode & 0o777).toBe(0o600);
    const [entry] = await listAudit(store);
    expect(entry?.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(entry?.signature).toBeTruthy();
  });

  it('finds a chain rewritten with recomputed hashes', async () => {
    const store = await open();
    for (let n = 1; n <= 3; n++) await appendAudit(store, event(n));
    // What someone with write access to the database can do: the hash function is public.
    let prevHash = genesisHash;
    for (const entry of await listAudit(store)) {
      const forged = { ...entry, actor: 'mallory', prevHash };
      const { hash: _h, keyId: _k, signature: _s, ...unsigned } = forged;
      const hash = hashEvent(unsigned);
      await store.db
        .updateTable('audit_events')
        .set({ actor: 'mallory', prev_hash: prevHash, hash, details: canonicalJson(entry.details) })
        .where('seq', '=', entry.seq)
        .execute();
      prevHash = hash;
    }
    const report = await verifyAudit(store);
    expect(report.ok).toBe(false);
    expect(
      report.problems.filter((p) => p.problem.includes('signature does not match')).map((p) => p.seq),
    ).toEqual([1, 2, 3]);
  });

  it('finds signatures stripped from a rewritten chain', async () => {
    const store = await open();
    for (let n = 1; n <= 2; n++) await appendAudit(store, event(n));
    await store.db.updateTable('audit_events').set({ signature: null, key_id: null }).execute();
    const report = await verifyAudit(store);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.problem).join('\\n')).toContain('no entry is signed');
  });

  it('lets an auditor verify with the public key alone, and refuses another key', async () => {
    const store = await open();
    for (let n = 1; n <= 3; n++) await appendAudit(store, event(n));
    const publicFile = `${store.files.dataDir}/audit.pub`;
    writeFileSync(publicFile, publicKeyPem(readPublicKey(store.files.auditKey)));
    const auditor = { ...store, files: { ...store.files, auditKey: '/nonexistent/key' } };
    expect(await verifyAudit(auditor, { publicKey: readPublicKey(publicFile) })).toMatchObject({
      ok: true,
      checked: 3,
    });
    const stranger = newSigner().publicKey;
    const report = await verifyAudit(auditor, { publicKey: stranger });
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.problem).toContain('does not vouch for');
    const unchecked = await verifyAudit(auditor);
    expect(unchecked.ok).toBe(false);
    expect(unchecked.problems).toEqual([
      { seq: 3, problem: expect.stringContaining('signatures were NOT checked') },
    ]);
  });

  it('takes entries written before signing existed as vouched for by the first signed entry after them', async () => {
    const store = await open();
    for (let n = 1; n <= 2; n++) await appendAudit(store, event(n));
    // As an upgraded store has them: the same chain, no signatures yet.
    await store.db.updateTable('audit_events').set({ signature: null, key_id: null }).execute();
    await appendAudit(store, event(3));
    const report = await verifyAudit(store);
    expect(report).toMatchObject({ ok: true, checked: 3 });
    expect(report.notes).toEqual([expect.stringContaining('2 entries predate signing')]);
    await store.db.updateTable('audit_events').set({ actor: 'mallory' }).where('seq', '=', 1).execute();
    expect((await verifyAudit(store)).ok).toBe(false);
  });

  it('finds an edited checkpoint file', async () => {
    const store = await open();
    for (let n = 1; n <= 2; n++) await appendAudit(store, event(n));
    const checkpoint = JSON.parse(readFileSync(store.files.auditCheckpoint, 'utf8')) as Record<
      string,
      unknown
    >;
    const lowered = { ...checkpoint, seq: 1, hash: createHash('sha256').update('x').digest('hex') };
    writeFileSync(store.files.auditCheckpoint, JSON.stringify(lowered));
    const report = await verifyAudit(store);
    expect(report.problems).toEqual([
      { seq: 1, problem: expect.stringContaining('not signed by a trusted key') },
    ]);
  });

  it('records a key rotation as an entry that both the old and the new public key verify across', async () => {
    const store = await open();
    await appendAudit(store, event(1));
    const oldKey = readPublicKey(store.files.auditKey);
    const rotation = await rotateAuditKey(store, { actor: 'admin', replaceKeyFile: true });
    await appendAudit(store, event(2));
    const newKey = readPublicKey(store.files.auditKey);
    expect(rotation).toMatchObject({
      seq: 2,
      action: 'audit.key-rotated',
      details: { keyId: expect.any(String) },
    });
    const entries = await listAudit(store);
    expect(entries.map((e) => e.keyId)).toEqual([
      entries[0]?.keyId,
      entries[0]?.keyId,
      rotation.details.keyId,
    ]);
    expect(await verifyAudit(store, { publicKey: oldKey })).toMatchObject({ ok: true, checked: 3 });
    expect(await verifyAudit(store, { publicKey: newKey })).toMatchObject({ ok: true, checked: 3 });
  });

  it('refuses an entry signed by the old key after the rotation', async () => {
    const store = await open();
    await appendAudit(store, event(1));
    const oldPem = readFileSync(store.files.auditKey);
    await rotateAuditKey(store, { actor: 'admin', replaceKeyFile: true });
    // A process that kept the old key file writes on: it must not pass as the new key's entry.
    writeFileSync(store.files.auditKey, oldPem);
    const again = { ...store, files: { ...store.files } };
    await expect(appendAudit(again, event(2))).rejects.toThrow(/signed with key .* holds key/);
  });
});

describe('the audit key as a mounted secret', () => {
  it('signs with the key file named in the configuration, and never invents one in its place', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-secret-'));
    const secret = join(mkdtempSync(join(tmpdir(), 'gatehouse-mounted-')), 'audit.key');
    const missing = await openStore({ dataDir, auditKeyFile: secret });
    try {
      await expect(
        appendAudit(missing, { actor: 'a', action: 'x.y', target: 't', outcome: 'succeeded' }),
      ).rejects.toThrow(`the audit signing key ${secret} does not exist`);
      expect(existsSync(secret)).toBe(false);
      writeFileSync(secret, newSigner().privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const event = await appendAudit(missing, {
        actor: 'a',
        action: 'x.y',
        target: 't',
        outcome: 'succeeded',
      });
      expect(event.keyId).toBe(keyIdOf(readPublicKey(secret)));
      expect(existsSync(join(dataDir, 'audit-signing.key'))).toBe(false);
    } finally {
      await missing.close();
    }
  });
});
