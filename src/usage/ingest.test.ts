import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import type { Store } from '../store/index.js';
import { ingestAuditLog } from './ingest.js';
import { listIngestions } from './ingestion-runs.js';
import { startParsePool } from './parse-pool.js';
import { auditLine } from './test-events.js';
import { usageOf } from './usage-of.js';

const since = new Date('2026-11-01T00:00:00Z');

describe.each(dialects)('ingesting audit logs on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  let dir = '';
  afterEach(async () => {
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });
  async function open(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-usage-'));
    return fresh.store;
  }
  const ingest = (store: Store, path: string) =>
    ingestAuditLog(store, { cluster: 'prod', path, actor: 'local:test' });
  async function podGets(store: Store, user = 'alice'): Promise<number> {
    const answer = await usageOf(store, { cluster: 'prod', subject: { kind: 'user', name: user }, since });
    if (answer.kind !== 'known') return -1;
    return answer.permissions
      .filter((p) => p.verb === 'get' && p.resource === 'pods')
      .reduce((n, p) => n + p.count, 0);
  }

  it('counts allowed requests per subject and permission, with first and last use', async () => {
    const store = await open();
    const file = join(dir, 'audit.log');
    writeFileSync(
      file,
      [
        auditLine({ at: '2026-11-20T10:00:00Z' }),
        auditLine({ at: '2026-11-21T10:00:00Z' }),
        auditLine({ at: '2026-11-19T10:00:00Z' }),
        auditLine({ stage: 'ResponseStarted' }),
        auditLine({ decision: 'forbid', code: 403, verb: 'delete' }),
        '',
      ].join('\n'),
    );
    const result = await ingest(store, file);
    expect(result).toMatchObject({
      status: 'succeeded',
      events: { read: 5, counted: 3, skipped: 2, malformed: 0 },
      skippedBy: { stage: 1, denied: 1, undecided: 0 },
      window: { from: '2026-11-19T10:00:00.000Z', to: '2026-11-21T10:00:00.000Z' },
    });
    const answer = await usageOf(store, { cluster: 'prod', subject: { kind: 'user', name: 'alice' }, since });
    expect(answer).toMatchObject({
      kind: 'known',
      permissions: [
        {
          verb: 'get',
          resource: 'pods',
          namespace: 'dev',
          count: 3,
          firstUsed: '2026-11-19T10:00:00.000Z',
          lastUsed: '2026-11-21T10:00:00.000Z',
        },
      ],
    });
    const audit = await listAudit(store, {});
    expect(audit.filter((event) => event.action === 'usage.ingest').map((event) => event.outcome)).toEqual(
      expect.arrayContaining(['started', 'succeeded']),
    );
  });

  it('never counts the same lines twice: a second ingest reads only what was appended', async () => {
    const store = await open();
    const file = join(dir, 'audit.log');
    writeFileSync(file, `${auditLine()}\n${auditLine()}\n`);
    await ingest(store, file);
    expect((await ingest(store, file)).files[0]).toMatchObject({
      status: 'unchanged',
      fromLine: 2,
      toLine: 2,
    });
    appendFileSync(file, `${auditLine()}\n`);
    expect((await ingest(store, file)).files[0]).toMatchObject({ status: 'read', fromLine: 2, toLine: 3 });
    expect(await podGets(store)).toBe(3);
  });

  it('reads a rotation directory, gzip included, and knows a rotated or gzipped copy as the file already read', async () => {
    const store = await open();
    const rotated = `${auditLine({ at: '2026-11-10T00:00:00Z' })}\n${auditLine({ at: '2026-11-11T00:00:00Z' })}\n`;
    writeFileSync(join(dir, 'audit.log'), rotated);
    await ingest(store, dir);
    // The apiserver rotates: audit.log becomes audit-TIME.log (gzipped here), a new audit.log starts.
    rmSync(join(dir, 'audit.log'));
    writeFileSync(join(dir, 'audit-2026-11-11T00-00-00.000.log.gz'), gzipSync(rotated));
    utimesSync(
      join(dir, 'audit-2026-11-11T00-00-00.000.log.gz'),
      new Date('2026-11-11'),
      new Date('2026-11-11'),
    );
    writeFileSync(join(dir, 'audit.log'), `${auditLine({ at: '2026-11-12T00:00:00Z' })}\n`);
    const result = await ingest(store, dir);
    expect(result.files.map((file) => [file.path.slice(dir.length + 1), file.status])).toEqual([
      ['audit-2026-11-11T00-00-00.000.log.gz', 'unchanged'],
      ['audit.log', 'read'],
    ]);
    expect(await podGets(store)).toBe(3);
    const fresh = await freshStore(dialect);
    try {
      const gz = await ingestAuditLog(fresh.store, { cluster: 'prod', path: dir, actor: 'local:test' });
      expect(gz.events.counted).toBe(3);
    } finally {
      await fresh.cleanup();
    }
  });

  it('reports malformed lines with their numbers and goes on', async () => {
    const store = await open();
    const file = join(dir, 'audit.log');
    writeFileSync(
      file,
      [
        auditLine(),
        'garbage',
        '{"kind":"Event"}',
        auditLine(),
        `${'x'.repeat(5 << 20)}`,
        auditLine(),
        '',
      ].join('\n'),
    );
    const result = await ingest(store, file);
    expect(result.events).toEqual({ read: 6, counted: 3, skipped: 0, malformed: 3 });
    expect(result.malformedLines).toEqual([
      { file, line: 2, reason: 'not JSON' },
      { file, line: 3, reason: 'not an audit.k8s.io Event' },
      { file, line: 5, reason: 'line longer than 4 MiB' },
    ]);
    expect(result.status).toBe('succeeded');
  });

  it('leaves a half-written last line for next time, and counts a whole one without its newline', async () => {
    const store = await open();
    const file = join(dir, 'audit.log');
    const next = auditLine();
    writeFileSync(file, `${auditLine()}\n${next.slice(0, 40)}`);
    expect((await ingest(store, file)).files[0]).toMatchObject({ toLine: 1, incompleteTail: true });
    appendFileSync(file, next.slice(40));
    expect((await ingest(store, file)).files[0]).toMatchObject({ status: 'read', toLine: 1 });
    appendFileSync(file, `\n${auditLine()}\n`);
    expect((await ingest(store, file)).files[0]).toMatchObject({ status: 'read', toLine: 3 });
    expect(await podGets(store)).toBe(3);
  });

  it('keeps what a truncated gzip held before the damage and says the file failed', async () => {
    const store = await open();
    const lines = Array.from({ length: 2000 }, (_, index) => auditLine({ name: `pod-${index}` })).join('\n');
    const gz = gzipSync(`${lines}\n`);
    writeFileSync(join(dir, 'audit-old.log.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    writeFileSync(join(dir, 'audit.log'), `${auditLine({ user: 'bob' })}\n`);
    const result = await ingest(store, dir);
    expect(result.status).toBe('partial');
    const failed = result.files.find((file) => file.status === 'failed');
    expect(failed?.error).toMatch(/unexpected end of file/);
    expect(failed?.toLine).toBeGreaterThan(100);
    expect(await podGets(store, 'bob')).toBe(1);
    expect((await listIngestions(store, 'prod'))[0]).toMatchObject({ status: 'partial' });
  });

  it('never counts a line twice when two ingests read the same file at once', async () => {
    const store = await open();
    const file = join(dir, 'audit.log');
    writeFileSync(
      file,
      `${Array.from({ length: 3000 }, (_, index) => auditLine({ name: `p-${index % 7}` })).join('\n')}\n`,
    );
    const both = await Promise.all(
      [1, 2].map(() =>
        ingestAuditLog(store, { cluster: 'prod', path: file, actor: 'local:test', batchEvents: 100 }),
      ),
    );
    expect(await podGets(store)).toBe(3000);
    // One reads the file; the other finds it read, or stops at the other's progress (conflict).
    const statuses = both.map((result) => result.files[0]?.status);
    expect(statuses).toContain('read');
    for (const result of both)
      if (result.files[0]?.status === 'failed')
        expect(result.files[0].error).toMatch(/being read by another ingest/);
  });

  // Each worker loads the TypeScript sources through tsx: slow on a loaded machine, hence 90 s.
  it('parses in worker threads exactly as in one thread: counts, malformed lines, stored rows', async () => {
    const store = await open();
    const file = join(dir, 'audit.log');
    const users = ['alice', 'bob', 'system:serviceaccount:ci:builder'];
    const lines = Array.from({ length: 6000 }, (_, index) =>
      index % 997 === 0
        ? `not an event ${index}`
        : auditLine({
            user: users[index % 3],
            verb: ['get', 'list', 'delete'][(index % 5) % 3],
            name: index % 2 ? `p-${index % 11}` : undefined,
            namespace: `ns-${index % 4}`,
            at: new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString(),
            ...(index % 13 === 0 ? { decision: 'forbid' as const, code: 403 } : {}),
          }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const pool = await startParsePool(2);
    expect(pool, 'worker threads start from these sources').toBeDefined();
    await pool?.close();
    const other = await freshStore(dialect);
    try {
      const threaded = await ingestAuditLog(store, {
        cluster: 'prod',
        path: file,
        actor: 'test',
        workers: 2,
        batchEvents: 700,
      });
      const inline = await ingestAuditLog(other.store, {
        cluster: 'prod',
        path: file,
        actor: 'test',
        workers: 0,
        batchEvents: 700,
      });
      const comparable = (result: typeof inline) => ({ ...result, id: '', seconds: 0 });
      expect(comparable(threaded)).toEqual(comparable(inline));
      expect(threaded.malformedLines.map((line) => line.line)).toEqual([
        1, 998, 1995, 2992, 3989, 4986, 5983,
      ]);
      const rows = (target: Store) =>
        target.db
          .selectFrom('usage_permissions')
          .select(['key', 'first_used', 'last_used', 'count'])
          .orderBy('key')
          .execute();
      const [threadedRows, inlineRows] = [await rows(store), await rows(other.store)];
      expect(threadedRows.length).toBeGreaterThan(50);
      expect(threadedRows.map((row) => ({ ...row, count: Number(row.count) }))).toEqual(
        inlineRows.map((row) => ({ ...row, count: Number(row.count) })),
      );
    } finally {
      await other.cleanup();
    }
  }, 90_000);

  it('survives random bytes, plain and gzipped: every non-empty line is malformed, nothing is stored', async () => {
    const store = await open();
    let seed = 7;
    const noise = Buffer.alloc(1 << 20);
    for (let index = 0; index < noise.length; index++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      noise[index] = seed % 97 === 0 ? 10 : seed % 256;
    }
    writeFileSync(join(dir, 'noise.log'), noise);
    writeFileSync(join(dir, 'noise.log.gz'), gzipSync(noise));
    const result = await ingest(store, dir);
    expect(result.status).toBe('succeeded');
    expect(result.events.counted).toBe(0);
    expect(result.events.malformed).toBeGreaterThan(1000);
    expect(result.malformedLines).toHaveLength(10);
    const rows = await store.db.selectFrom('usage_permissions').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('names a path that does not exist and how to fix it', async () => {
    const store = await open();
    await expect(ingest(store, join(dir, 'nope'))).rejects.toMatchObject({
      code: 'input.invalid',
      message: expect.stringMatching(/cannot read .*nope/),
    });
  });
});
