import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { type AuditOutcome, appendAudit } from '../audit/index.js';
import { isAppError } from '../errors.js';
import {
  type CampaignEvidence,
  evidenceCsv,
  printPdf,
  reportHtml,
  reviewTarget,
  visibleEvidence,
} from '../reviews/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { ErrorPage } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** The ways a campaign's evidence leaves the console; each taking is audited with its format. */
export type ExportFormat = 'csv' | 'json' | 'report' | 'pdf';

/**
 * The report's own policy: nothing loads and nothing runs; only the style blocks whose SHA-256 is
 * listed apply, so the report's inline CSS works while an injected `<style>` or `style=` does not.
 */
export function reportPolicy(document: string): string {
  const hashes = [...document.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`,
  );
  return `default-src 'none'; style-src ${hashes.join(' ') || "'none'"}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

const navStyle =
  '.report-nav{display:flex;gap:16px;padding:8px 0 12px;border-bottom:1px solid #ccc;margin-bottom:12px;font-size:13px}.report-nav a{color:#1f4e9c}@media print{.report-nav{display:none}}';

/** The printable report as the console serves it: links back and to the downloads, hidden when printed. */
function reportPage(evidence: CampaignEvidence): string {
  const base = `/reviews/${evidence.campaign.id}`;
  const nav = `<nav class="report-nav" aria-label="Report"><a href="${base}">Back to the campaign</a><a href="${base}/report.pdf">Download PDF</a><a href="${base}/evidence.csv">CSV</a><a href="${base}/evidence.json">JSON</a></nav>`;
  return reportHtml(evidence)
    .replace('</head>', `<style>${navStyle}</style></head>`)
    .replace(/<body>/, `<body>${nav}<main>`)
    .replace('</body>', '</main></body>');
}

async function recordTaking(
  options: ConsoleOptions,
  signed: Signed,
  taking: { id: string; format: ExportFormat; outcome: AuditOutcome; details?: Record<string, unknown> },
): Promise<void> {
  await appendAudit(options.store, {
    actor: signed.principal.subject,
    action: 'review.export',
    target: reviewTarget(taking.id.slice(0, 64)),
    outcome: taking.outcome,
    details: { format: taking.format, ...taking.details },
  });
}

/** The evidence the person may take; a refusal (not part of the campaign) is recorded before it is shown. */
async function evidenceFor(c: ConsoleContext, options: ConsoleOptions, signed: Signed, format: ExportFormat) {
  const id = c.req.param('id') ?? '';
  try {
    return await visibleEvidence(
      options.store,
      signed.principal,
      id,
      options.usageOf ? { usageOf: options.usageOf } : {},
    );
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found')
      await recordTaking(options, signed, {
        id,
        format,
        outcome: 'denied',
        details: { reason: error.message },
      });
    throw error;
  }
}

const partial = (evidence: CampaignEvidence) => (evidence.only ? { only: evidence.only } : {});

function attachment(c: ConsoleContext, evidence: CampaignEvidence, extension: string, type: string): void {
  c.header(
    'content-disposition',
    `attachment; filename="review-${evidence.campaign.id.slice(0, 8)}.${extension}"`,
  );
  c.header('content-type', type);
  c.header('cache-control', 'no-store');
}

async function download(c: ConsoleContext, options: ConsoleOptions, signed: Signed, format: 'csv' | 'json') {
  const evidence = await evidenceFor(c, options, signed, format);
  const id = evidence.campaign.id;
  await recordTaking(options, signed, {
    id,
    format,
    outcome: 'succeeded',
    details: { items: evidence.items.length, ...partial(evidence) },
  });
  if (format === 'csv') {
    attachment(c, evidence, 'csv', 'text/csv; charset=utf-8');
    return c.body(evidenceCsv(evidence));
  }
  attachment(c, evidence, 'json', 'application/json; charset=utf-8');
  return c.body(`${JSON.stringify(evidence, null, 2)}\n`);
}

async function report(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const evidence = await evidenceFor(c, options, signed, 'report');
  const id = evidence.campaign.id;
  await recordTaking(options, signed, {
    id,
    format: 'report',
    outcome: 'succeeded',
    details: partial(evidence),
  });
  const document = reportPage(evidence);
  c.header('content-security-policy', reportPolicy(document));
  c.header('cache-control', 'no-store');
  return c.html(document);
}

/** The report printed by chromium; when chromium cannot start, a page naming why and how to fix it. */
async function pdf(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const evidence = await evidenceFor(c, options, signed, 'pdf');
  const id = evidence.campaign.id;
  try {
    const bytes = await printPdf(
      reportHtml(evidence),
      options.chromiumPath ? { executablePath: options.chromiumPath } : {},
    );
    await recordTaking(options, signed, {
      id,
      format: 'pdf',
      outcome: 'succeeded',
      details: { bytes: bytes.length, ...partial(evidence) },
    });
    attachment(c, evidence, 'pdf', 'application/pdf');
    return c.body(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    if (!isAppError(error)) throw error;
    await recordTaking(options, signed, {
      id,
      format: 'pdf',
      outcome: 'failed',
      details: { error: error.message },
    });
    const message = `The PDF could not be made: ${error.message}.`;
    const fix = `${error.fix ?? ''}. The printable report works without chromium: open it and print it from your browser.`;
    return await html(c, ErrorPage({ signed, path: `/reviews/${id}`, message, fix }), 503);
  }
}

/** `/reviews/ID/report`, `report.pdf`, `evidence.csv` and `evidence.json`: auditors, admins, and the campaign's reviewers. */
export function mountReviewReport(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/reviews/:id/report',
    page(options, (c, signed) => report(c, options, signed)),
  );
  app.get(
    '/reviews/:id/report.pdf',
    page(options, (c, signed) => pdf(c, options, signed)),
  );
  app.get(
    '/reviews/:id/evidence.csv',
    page(options, (c, signed) => download(c, options, signed, 'csv')),
  );
  app.get(
    '/reviews/:id/evidence.json',
    page(options, (c, signed) => download(c, options, signed, 'json')),
  );
}
