import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewRead } from '../../test/support/review-read.js';
import { freshStore } from '../../test/support/stores.js';
import { unreachableClient } from '../../test/support/unreachable-client.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import { createCampaign } from './campaigns.js';
import { decide } from './decisions.js';
import { campaignEvidence } from './evidence.js';
import { maxPrintsInLine, printPdf } from './pdf.js';
import { completionOverTime, reportHtml } from './report.js';

describe('the printable review report', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('prints scope, hash, counts, completion over time and decisions to a PDF, with every name escaped', async () => {
    const fresh = await freshStore('sqlite');
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const read = reviewRead();
    const hostile = {
      ...read.roleBindings[0]!,
      metadata: { name: 'x', namespace: 'dev' },
      subjects: [{ kind: 'User' as const, name: '<script>alert(1)</script>' }],
    };
    const withHostile = { ...read, roleBindings: [...read.roleBindings, hostile] };
    const at = new Date().toISOString();
    await saveSyncRun(
      store,
      {
        cluster: 'prod',
        server: 'https://prod',
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        counts: countsOf(withHostile),
        resourceVersions: {},
        errors: [],
      },
      withHostile,
    );
    const admin = localPrincipal({ subject: 'root' });
    const { campaign, items } = await createCampaign(
      store,
      {
        name: 'Q4 <prod>',
        cluster: 'prod',
        scope: {},
        reviewers: { fallback: 'user:carol' },
        deadlineAt: new Date(Date.now() + 86_400_000).toISOString(),
        defaultAction: 'leave',
      },
      { principal: admin },
    );
    const clusters = { clientFor: async () => unreachableClient() };
    await decide(
      store,
      {
        campaignId: campaign.id,
        itemIds: items.slice(0, 3).map((item) => item.id),
        decision: 'keep',
        reason: 'needed',
      },
      { principal: admin, clusters },
    );
    const evidence = await campaignEvidence(store, campaign.id);
    expect(completionOverTime(evidence).map((point) => point.decided)).toEqual([0, 1, 2, 3]);
    const html = reportHtml(evidence);
    expect(html).toContain('Access review: Q4 &lt;prod&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain(campaign.snapshotHash);
    expect(html.replaceAll('&#39;', "'")).toContain(
      "Scope: every grant of the sync run, Kubernetes' own bindings left out. Reviewers: user:carol for the rest and for reviewers' own access.",
    );
    expect(html).toContain('User dave: RoleBinding dev/legacy → Role gone');
    const pdf = await printPdf(html);
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const folder = join(process.cwd(), 'test-results', 'reports');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'review-report.pdf'), pdf);
  }, 60_000);

  it('prints one report at a time, however many are asked for at once', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-pdf-'));
    const log = join(folder, 'runs.log');
    const wrapper = join(folder, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\necho start >> ${log}\n/usr/bin/chromium "$@"\necho end >> ${log}\n`, {
      mode: 0o755,
    });
    const pdfs = await Promise.all(
      [1, 2, 3].map((n) => printPdf(`<!doctype html><p>report ${n}</p>`, { executablePath: wrapper })),
    );
    expect(pdfs.map((pdf) => Buffer.from(pdf.subarray(0, 5)).toString())).toEqual([
      '%PDF-',
      '%PDF-',
      '%PDF-',
    ]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'start',
      'end',
      'start',
      'end',
      'start',
      'end',
    ]);
  }, 60_000);

  it('refuses a print past the few already in line, naming why, and prints again once they are done', async () => {
    const asked = Array.from({ length: maxPrintsInLine + 2 }, (_, n) => printPdf(`<p>report ${n}</p>`));
    const settled = await Promise.allSettled(asked);
    expect(settled.map((result) => result.status)).toEqual([
      ...Array.from({ length: maxPrintsInLine }, () => 'fulfilled'),
      'rejected',
      'rejected',
    ]);
    expect(String((settled.at(-1) as PromiseRejectedResult).reason)).toContain('already being printed');
    expect(Buffer.from((await printPdf('<p>later</p>')).subarray(0, 5)).toString()).toBe('%PDF-');
  }, 60_000);

  it('prints a page without running its script: markup that slipped past escaping cannot hold chromium busy', async () => {
    const started = Date.now();
    const pdf = await printPdf('<!doctype html><p>report</p><script>for (;;) {}</script>');
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 25_000);
});
