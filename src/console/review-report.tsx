import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { isAppError } from '../errors.js';
import {
  type CampaignEvidence,
  type EvidenceFormat,
  evidenceCsv,
  openEvidence,
  printPdf,
  recordTaking,
  reportHtml,
  reportStyle,
  takeEvidence,
  takenDetails,
} from '../reviews/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { ErrorPage } from './layout.js';
import type { ConsoleOptions } from './options.js';

const navStyle =
  '.report-nav{display:flex;gap:16px;padding:8px 0 12px;border-bottom:1px solid #ccc;margin-bottom:12px;font-size:13px}.report-nav a{color:#1f4e9c}@media print{.report-nav{display:none}}';

/**
 * The report's own policy: nothing loads and nothing runs; only the report's and the nav's style
 * blocks apply, by their SHA-256 (hashed from our CSS, never from the page, so a `<style>` that
 * slipped into the page is not allowed with them), and no `style=`.
 */
export function reportPolicy(): string {
  const hashes = [reportStyle, navStyle].map(
    (css) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`,
  );
  return `default-src 'none'; style-src ${hashes.join(' ')}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** The printable report as the console serves it: links back and to the downloads, hidden when printed. */
function reportPage(evidence: CampaignEvidence): string {
  const base = `/reviews/${evidence.campaign.id}`;
  const nav = `<nav class="report-nav" aria-label="Report"><a href="${base}">Back to the campaign</a><a href="${base}/report.pdf">Download PDF</a><a href="${base}/evidence.csv">CSV</a><a href="${base}/evidence.json">JSON</a></nav>`;
  return reportHtml(evidence)
    .replace('</head>', `<style>${navStyle}</style></head>`)
    .replace(/<body>/, `<body>${nav}<main>`)
    .replace('</body>', '</main></body>');
}

/** The evidence the person may take, audited; a refusal (not part of the campaign) is recorded too. */
function evidenceFor(c: ConsoleContext, options: ConsoleOptions, signed: Signed, format: EvidenceFormat) {
  return takeEvidence(options.store, signed.principal, c.req.param('id') ?? '', {
    format,
    via: 'console',
    ...(options.usageOf ? { usageOf: options.usageOf } : {}),
  });
}

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
  if (format === 'csv') {
    attachment(c, evidence, 'csv', 'text/csv; charset=utf-8');
    return c.body(evidenceCsv(evidence));
  }
  attachment(c, evidence, 'json', 'application/json; charset=utf-8');
  return c.body(`${JSON.stringify(evidence, null, 2)}\n`);
}

async function report(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const evidence = await evidenceFor(c, options, signed, 'report');
  const document = reportPage(evidence);
  c.header('content-security-policy', reportPolicy());
  c.header('cache-control', 'no-store');
  return c.html(document);
}

/** The report printed by chromium; when chromium cannot start, a page naming why and how to fix it. */
async function pdf(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const taking = { format: 'pdf', via: 'console' } as const;
  const evidence = await openEvidence(options.store, signed.principal, c.req.param('id') ?? '', {
    ...taking,
    ...(options.usageOf ? { usageOf: options.usageOf } : {}),
  });
  const id = evidence.campaign.id;
  try {
    const bytes = await printPdf(
      reportHtml(evidence),
      options.chromiumPath ? { executablePath: options.chromiumPath } : {},
    );
    await recordTaking(options.store, signed.principal, id, taking, 'succeeded', {
      bytes: bytes.length,
      ...takenDetails(evidence),
    });
    attachment(c, evidence, 'pdf', 'application/pdf');
    return c.body(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    if (!isAppError(error)) throw error;
    await recordTaking(options.store, signed.principal, id, taking, 'failed', { error: error.message });
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
