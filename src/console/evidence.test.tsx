import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { sealedShopPackage, shopCustody } from '../../test/support/sealed-evidence.js';
import { dialects } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { type ManifestItem, readView, sealPackage, sha256, writeManifest } from '../forensics/index.js';
import { timelinePage } from './evidence-timeline-data.js';

describe.each(dialects)('the evidence pages on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  async function withPackage() {
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-console-evidence-'));
    fixture = await consoleFixture(dialect, { evidenceRoot });
    return { fixture, ...(await sealedShopPackage(fixture.fresh.store, evidenceRoot)) };
  }

  it('refuses the list and a package to someone who is neither responder, auditor nor admin', async () => {
    const { fixture, id } = await withPackage();
    const list = await fixture.visit('alice', '/evidence');
    expect(list.status).toBe(403);
    expect(await list.text()).toContain('alice may not see evidence packages');
    expect((await fixture.visit('alice', `/evidence/${id}`)).status).toBe(403);
    expect((await fixture.visit('alice', `/evidence/${id}/download`)).status).toBe(403);
    const refused = await listAudit(fixture.fresh.store, { action: 'evidence.download' });
    expect(refused.map((entry) => [entry.actor, entry.outcome])).toEqual([['alice', 'denied']]);
  });

  it('refuses an export format named like a property every object has, taking nothing out', async () => {
    const { fixture, id } = await withPackage();
    for (const format of ['constructor', 'toString', '__proto__']) {
      const response = await fixture.visit('dave', `/evidence/${id}/export/${format}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Use timesketch, csv or bodyfile');
    }
    expect(await listAudit(fixture.fresh.store, { action: 'evidence.export' })).toEqual([]);
  });

  it('refuses to draw a timeline page whose rows went while it was read, rather than an empty one', async () => {
    const { fixture, id } = await withPackage();
    expect((await fixture.visit('rita', `/evidence/${id}`)).status).toBe(200);
    const { store } = fixture.fresh;
    const row = await store.db.selectFrom('evidence_views').select('package_hash').executeTakeFirstOrThrow();
    const view = (await readView(store, row.package_hash))!;
    expect((await timelinePage(store, view, { filters: {}, page: 1 })).events.length).toBeGreaterThan(0);
    // Another package's view pushed this one out between reading the view and reading its rows.
    await store.db.deleteFrom('evidence_view_events').where('view_key', '=', view.key).execute();
    await expect(timelinePage(store, view, { filters: {}, page: 1 })).rejects.toThrow(
      /was replaced while it was read/,
    );
  });

  it('is linked under Forensics in the navigation, and from the Forensics page', async () => {
    const { fixture } = await withPackage();
    const text = await (await fixture.visit('rita', '/forensics')).text();
    expect(text).toContain('<a href="/evidence">Evidence</a>');
    expect(text).toContain('<a href="/evidence">Evidence page</a>');
  });

  it('says so when the server reads no evidence folder', async () => {
    fixture = await consoleFixture(dialect);
    const text = await (await fixture.visit('dave', '/evidence')).text();
    expect(text).toContain('This server reads no evidence folder');
    expect((await fixture.visit('dave', '/evidence/20261130T100000Z-0123abcd')).status).toBe(404);
  });

  it('lists packages with their target, operator and indicator counts, linking to each', async () => {
    const { fixture, id } = await withPackage();
    for (const person of ['rita', 'dave', 'carol'] as const) {
      const text = await (await fixture.visit(person, '/evidence')).text();
      expect(text).toContain(`<a href="/evidence/${id}">${id}</a>`);
      expect(text).toContain('prod / shop / web-7f9c / php');
      expect(text).toContain('<td>rita</td>');
      expect(text).toMatch(/\d+ critical|\d+ high/);
    }
  });

  it('shows custody, indicators with their evidence escaped, the timeline and the files of a package', async () => {
    const { fixture, id } = await withPackage();
    const text = await (await fixture.visit('rita', `/evidence/${id}`)).text();
    expect(text).toContain('Chain of custody');
    expect(text).toContain('php:8-apache');
    expect(text).toContain('/var/www/html/uploads/x.php');
    expect(text).not.toContain("<script>alert('owned')</script>");
    expect(text).toContain('&lt;script&gt;');
    expect(text).toMatch(/\d+ matching events/);
    expect(text).toContain(`<code>/var/www/html/uploads/x.php</code>`);
    const kind = await (
      await fixture.visit('rita', `/evidence/${id}?kind=Last+Access+Time&source=bodyfile`)
    ).text();
    expect(kind).toContain('1 matching events.');
    const filtered = await (await fixture.visit('rita', `/evidence/${id}?from=2999-01-01`)).text();
    expect(filtered).toContain('No timeline events match.');
    const bad = await fixture.visit('rita', `/evidence/${id}?from=soon`);
    expect(bad.status).toBe(400);
  });

  it('draws the process tree by parent, hanging each indicator on the process it names, with markup escaped', async () => {
    const { fixture, id } = await withPackage();
    const text = await (await fixture.visit('rita', `/evidence/${id}`)).text();
    const tree = text.slice(text.indexOf('id="processes-heading"'), text.indexOf('id="timeline"'));
    expect(tree).toContain('3 processes, by parent');
    // apache2 (1) holds sh (12), which holds the deleted binary (13): nested lists, in that order.
    expect(tree).toMatch(
      />1<\/span> <strong>apache2<\/strong>.*<ul class="process-tree"><li>.*>12<\/span> <strong>sh<\/strong>.*<ul class="process-tree"><li>.*>13<\/span>/s,
    );
    expect(tree).toContain('&lt;b&gt;curl&lt;/b&gt;');
    expect(tree).not.toContain('<b>curl</b>');
    expect(tree).toMatch(/class="process flagged-high">.*>13<\/span>.*high: process runs a deleted binary/s);
  });

  it('charts the matching events over time, each bar narrowing the timeline to its window', async () => {
    const { fixture, id } = await withPackage();
    const text = await (await fixture.visit('rita', `/evidence/${id}?source=processes`)).text();
    expect(text).toMatch(/<title id="timeline-chart-title">Events over time: 3 events from /);
    const bar = /<a href="(\/evidence\/[^"]+)"><title>[^<]*: 3 events \(3 processes\)<\/title>/.exec(text);
    expect(bar).not.toBeNull();
    const href = (bar?.[1] ?? '').replaceAll('&amp;', '&');
    const query = new URL(href, 'http://console').searchParams;
    expect(query.get('source')).toBe('processes');
    const narrowed = await (await fixture.visit('rita', href)).text();
    expect(narrowed).toContain('3 matching events.');
  });

  it('verifies an untouched package against its signed audit entry, and fails a tampered one', async () => {
    const { fixture, id, root } = await withPackage();
    const good = await (await fixture.post('dave', `/evidence/${id}/verify`)).text();
    expect(good).toContain('The package verifies.');
    expect(good).toMatch(/Checked against audit entry \d+, signed by key [\w-]+, records this hash/);
    expect(good).toMatch(/Checked against package\.sig, signed by key [\w-]+, records this hash/);
    writeFileSync(join(root, 'files/0'), "<?php echo 'harmless'; ?>\n");
    const bad = await (await fixture.post('dave', `/evidence/${id}/verify`)).text();
    expect(bad).toContain('The package does NOT verify.');
    expect(bad).toContain('files/0: modified (content differs from the manifest)');
  });

  it('fails a package rewritten as a whole (files, manifest and seal) by the hash in its signed audit entry', async () => {
    const { fixture, id, root } = await withPackage();
    const text = "<?php echo 'harmless'; ?>\n";
    writeFileSync(join(root, 'files/0'), text);
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
      items: ManifestItem[];
    };
    writeManifest(
      root,
      manifest.items.map((item) =>
        item.path === 'files/0' ? { ...item, sha256: sha256(text), size: Buffer.byteLength(text) } : item,
      ),
    );
    sealPackage(root, shopCustody(id));
    const bad = await (await fixture.post('dave', `/evidence/${id}/verify`)).text();
    expect(bad).toContain('The package does NOT verify.');
    expect(bad).toMatch(
      /differs from the one in audit entry \d+ \([0-9a-f]{64}\): the package was rewritten/,
    );
    expect(bad).toMatch(
      /differs from the one signed at seal time \([0-9a-f]{64}\): the package was rewritten/,
    );
  });

  it('calls a package with no signed record of its hash self-consistent only, and says how to prove it', async () => {
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-console-evidence-'));
    fixture = await consoleFixture(dialect, { evidenceRoot });
    const { id } = await sealedShopPackage(fixture.fresh.store, evidenceRoot, { recorded: false });
    const text = await (await fixture.post('dave', `/evidence/${id}/verify`)).text();
    expect(text).toContain('The package is self-consistent only.');
    expect(text).toContain('Not proven: only self-consistency could be checked');
    expect(text).toContain('--expected-hash HASH');
    expect(text).not.toContain('Checked against');
  });

  it('refuses a verify post without the session CSRF token', async () => {
    const { fixture, id } = await withPackage();
    const response = await fixture.post('dave', `/evidence/${id}/verify`, { _csrf: 'wrong' });
    expect(response.status).toBe(403);
  });

  it('downloads the whole package as a readable tar archive and audits the download', async () => {
    const { fixture, id } = await withPackage();
    const response = await fixture.visit('rita', `/evidence/${id}/download`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${id}.tar"`);
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-download-')), 'package.tar');
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const names = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(names).toEqual(
      [
        'acquisition.log',
        'custody.json',
        'files/0',
        'live/fs.bodyfile.out',
        'live/live.date.out',
        'live/live.processes.out',
        'manifest.json',
        'package.sha256',
        'package.sig',
      ].map((name) => `${id}/${name}`),
    );
    const entries = await listAudit(fixture.fresh.store, { action: 'evidence.download' });
    expect(entries.map((entry) => [entry.actor, entry.target, entry.outcome])).toEqual([
      ['rita', `evidence-package/${id}`, 'succeeded'],
    ]);
  });

  it('exports the timeline as CSV and refuses an unknown format and a path-like id', async () => {
    const { fixture, id } = await withPackage();
    const csv = await fixture.visit('dave', `/evidence/${id}/export/csv`);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${id}.csv"`);
    expect(await csv.text()).toContain('/var/www/html/uploads/x.php');
    const exported = await listAudit(fixture.fresh.store, { action: 'evidence.export' });
    expect(exported.map((entry) => [entry.actor, entry.outcome, entry.details.format])).toEqual([
      ['dave', 'succeeded', 'csv'],
    ]);
    expect((await fixture.visit('dave', `/evidence/${id}/export/pdf`)).status).toBe(400);
    expect((await fixture.visit('dave', '/evidence/..%2F..%2Fetc')).status).toBe(400);
  });

  it('audits refused looks at the list, a package and its verification, and counts a HEAD on the download as no download', async () => {
    const { fixture, id } = await withPackage();
    expect((await fixture.visit('alice', '/evidence')).status).toBe(403);
    expect((await fixture.visit('alice', `/evidence/${id}`)).status).toBe(403);
    expect((await fixture.post('alice', `/evidence/${id}/verify`)).status).toBe(403);
    const viewed = await listAudit(fixture.fresh.store, { action: 'evidence.view' });
    expect(viewed.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual([
      ['alice', 'denied', 'evidence'],
      ['alice', 'denied', `evidence-package/${id}`],
      ['alice', 'denied', `evidence-package/${id}`],
    ]);
    const head = await fixture.app.request(`/evidence/${id}/download`, {
      method: 'HEAD',
      headers: { cookie: 'test-person=rita' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toBe(`attachment; filename="${id}.tar"`);
    expect(await listAudit(fixture.fresh.store, { action: 'evidence.download' })).toEqual([]);
    const exportHead = await fixture.app.request(`/evidence/${id}/export/csv`, {
      method: 'HEAD',
      headers: { cookie: 'test-person=rita' },
    });
    expect(exportHead.headers.get('content-disposition')).toBe(`attachment; filename="${id}.csv"`);
    expect(await listAudit(fixture.fresh.store, { action: 'evidence.export' })).toEqual([]);
  });
});
