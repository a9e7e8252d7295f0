import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { seedReviewRun } from '../../test/support/review-run.js';
import { dialects } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { localPrincipal } from '../identity/index.js';
import { type CampaignEvidence, createCampaign, listItems, reportStyle } from '../reviews/index.js';
import { reportPolicy } from './review-report.js';

async function campaignIn(fixture: ConsoleFixture): Promise<string> {
  await seedReviewRun(fixture.fresh.store);
  const { campaign } = await createCampaign(
    fixture.fresh.store,
    {
      name: 'Payments Q4',
      cluster: 'prod',
      scope: { namespaces: ['payments'] },
      reviewers: { namespaceOwners: true, fallback: 'user:carol' },
      deadlineAt: new Date(Date.now() + 86_400_000).toISOString(),
      defaultAction: 'leave',
    },
    { principal: localPrincipal({ subject: 'root' }) },
  );
  return campaign.id;
}

const exports = async (fixture: ConsoleFixture) =>
  (await listAudit(fixture.fresh.store, { action: 'review.export' })).map(
    (event) => `${event.actor} ${event.outcome} ${String(event.details.format)}`,
  );

describe.each(dialects)('review reports and exports in the console on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('serves the printable report under its own policy: no script, nothing loaded, only its hashed style blocks', async () => {
    fixture = await consoleFixture(dialect);
    const id = await campaignIn(fixture);
    const response = await fixture.visit('dave', `/reviews/${id}/report`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('<h1>Access review: Payments Q4</h1>');
    expect(text).toContain(`<a href="/reviews/${id}/report.pdf">Download PDF</a>`);
    const policy = response.headers.get('content-security-policy') ?? '';
    const hashes = [...text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
      (match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`,
    );
    expect(hashes).toHaveLength(2);
    expect(policy).toBe(
      `default-src 'none'; style-src ${hashes.join(' ')}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(await exports(fixture)).toEqual(['dave succeeded report']);
  });

  it("hashes the policy from the report's own CSS, not from the page, so a <style> that slipped in is not allowed", () => {
    const hash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
    const policy = reportPolicy();
    const allowed = policy.match(/'sha256-[^']+'/g);
    expect(allowed).toHaveLength(2);
    expect(allowed).toContain(hash(reportStyle));
    expect(policy).not.toContain(hash('body{background:url(https://evil.example/x)}'));
  });

  it('exports CSV with formula cells neutralised and JSON that parses, each download audited with its format', async () => {
    fixture = await consoleFixture(dialect);
    const id = await campaignIn(fixture);
    const olivia = (await listItems(fixture.fresh.store, id)).find((item) => item.subject.name === 'olivia')!;
    await fixture.post('bob', `/reviews/${id}/decide`, {
      item: olivia.id,
      decision: 'keep',
      reason: '=cmd|"/c calc"!A1',
    });
    const csv = await fixture.visit('dave', `/reviews/${id}/evidence.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toBe(
      `attachment; filename="review-${id.slice(0, 8)}.csv"`,
    );
    const table = await csv.text();
    expect(table).toContain(`"'=cmd|""/c calc""!A1"`);
    expect(table).not.toMatch(/(^|,)=cmd/m);
    const json = (await (
      await fixture.visit('carol', `/reviews/${id}/evidence.json`)
    ).json()) as CampaignEvidence;
    expect(json.campaign.id).toBe(id);
    expect(json.items.map((item) => item.subject.name).sort()).toEqual(['api', 'bob', 'olivia']);
    expect(json.only).toBeUndefined();
    expect(await exports(fixture)).toEqual(['dave succeeded csv', 'carol succeeded json']);
  });

  it('gives a reviewer only the items they review, marked partial, and refuses anyone outside the campaign, recording it', async () => {
    fixture = await consoleFixture(dialect);
    const id = await campaignIn(fixture);
    const json = (await (
      await fixture.visit('bob', `/reviews/${id}/evidence.json`)
    ).json()) as CampaignEvidence;
    expect(json.items.map((item) => item.subject.name).sort()).toEqual(['api', 'olivia']);
    expect(json.counts).toMatchObject({ total: 2, pending: 2 });
    expect(json.only).toBe('the items reviewed by bob');
    expect(await (await fixture.visit('bob', `/reviews/${id}/report`)).text()).toContain(
      'Partial evidence: the items reviewed by bob only.',
    );
    expect((await fixture.visit('alice', `/reviews/${id}/evidence.csv`)).status).toBe(404);
    expect(await exports(fixture)).toEqual([
      'bob succeeded json',
      'bob succeeded report',
      'alice denied csv',
    ]);
  });

  it("keeps an outsider's refused downloads out of the campaign's trail, whatever id they typed", async () => {
    fixture = await consoleFixture(dialect);
    const id = await campaignIn(fixture);
    const olivia = (await listItems(fixture.fresh.store, id)).find((item) => item.subject.name === 'olivia')!;
    for (const typed of [`${id}%2F${olivia.id}`, `${id}zz`, `${id}%2F`])
      expect((await fixture.visit('alice', `/reviews/${typed}/evidence.csv`)).status).toBe(404);
    expect(await exports(fixture)).toEqual(['alice denied csv', 'alice denied csv', 'alice denied csv']);
    for (const who of ['bob', 'dave'] as const) {
      const json = (await (
        await fixture.visit(who, `/reviews/${id}/evidence.json`)
      ).json()) as CampaignEvidence;
      expect(json.trail.filter((event) => event.actor === 'alice')).toEqual([]);
    }
  });

  it('prints the report to a PDF with chromium and records the download', async () => {
    fixture = await consoleFixture(dialect);
    const id = await campaignIn(fixture);
    const response = await fixture.visit('dave', `/reviews/${id}/report.pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(await exports(fixture)).toEqual(['dave succeeded pdf']);
  }, 60_000);

  it('answers a page naming the cause and GATEHOUSE_CHROMIUM when chromium cannot start, and records the failure', async () => {
    fixture = await consoleFixture(dialect, { chromiumPath: '/nonexistent/chromium' });
    const id = await campaignIn(fixture);
    const response = await fixture.visit('dave', `/reviews/${id}/report.pdf`);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(text).toContain('The PDF could not be made: chromium could not start from /nonexistent/chromium');
    expect(text).toContain('set GATEHOUSE_CHROMIUM to its path');
    expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(await exports(fixture)).toEqual(['dave failed pdf']);
  });
});
