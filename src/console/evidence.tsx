import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { appendAudit } from '../audit/index.js';
import { AppError } from '../errors.js';
import { type VerifiedView, verifiedView } from '../forensics/index.js';
import { hasRole, type Principal, requireRole } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { filesOf, listPackages, packageRoot, verifyWithAnchors } from './evidence-data.js';
import { type ExportFormat, exportChunks, PackageDetail } from './evidence-detail.js';
import { PackageRows } from './evidence-sections.js';
import { timelineFilters, timelinePageNumber } from './evidence-timeline.js';
import { eventFilters, timelinePage } from './evidence-timeline-data.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { tarFiles } from './tar-stream.js';

/** Responders, auditors and admins read evidence; everyone else gets the refusal page. */
function requireEvidenceReader(principal: Principal, doing: string): void {
  if (!hasRole(principal, 'auditor')) requireRole(principal, 'responder', doing);
}

/** The same check, a refusal recorded first (`evidence.view`, denied). */
async function refuseUnlessViewer(
  options: ConsoleOptions,
  signed: Signed,
  asked: { doing: string; target: string },
) {
  if (hasRole(signed.principal, 'auditor') || hasRole(signed.principal, 'responder')) return;
  await appendAudit(options.store, {
    actor: signed.principal.subject,
    action: 'evidence.view',
    target: asked.target,
    outcome: 'denied',
    details: { reason: `needs the responder or auditor role to ${asked.doing}` },
  });
  requireEvidenceReader(signed.principal, asked.doing);
}

function evidenceRootOf(options: ConsoleOptions): string {
  if (options.evidenceRoot) return options.evidenceRoot;
  throw new AppError('not-found', 'this server has no evidence folder', {
    fix: 'Start the server with a data directory; packages are read from its evidence folder',
  });
}

async function listPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  await refuseUnlessViewer(options, signed, { doing: 'see evidence packages', target: 'evidence' });
  // A server started without a data directory has no evidence folder: the page says so, it does not fail.
  const packages = options.evidenceRoot ? await listPackages(options.store, options.evidenceRoot) : undefined;
  return await html(
    c,
    <Layout signed={signed} path="/evidence" title="Evidence">
      <p class="lead">Evidence packages acquired from containers, newest first.</p>
      {packages ? (
        <PackageRows packages={packages} />
      ) : (
        <Empty>
          This server reads no evidence folder: start it with a data directory to see its packages.
        </Empty>
      )}
    </Layout>,
  );
}

/** The package's verified view (a full verification the first time, or when its files changed). */
async function openedView(options: ConsoleOptions, id: string, reverify: boolean): Promise<VerifiedView> {
  const evidenceRoot = evidenceRootOf(options);
  return await verifiedView({
    store: options.store,
    id,
    root: packageRoot(evidenceRoot, id),
    verify: () => verifyWithAnchors(options.store, evidenceRoot, id),
    reverify,
  });
}

async function detailPage(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  verify: boolean,
): Promise<Response> {
  const id = c.req.param('id') ?? '';
  await refuseUnlessViewer(options, signed, {
    doing: verify ? 'verify evidence packages' : 'see evidence packages',
    target: `evidence-package/${id.slice(0, 60)}`,
  });
  const filters = timelineFilters(c);
  const page = timelinePageNumber(c);
  // A date that is not one is refused before a first view spends its time verifying the package.
  eventFilters(filters);
  const opened = await openedView(options, id, verify);
  const timeline =
    opened.kind === 'verified'
      ? { filters, page: await timelinePage(options.store, opened.view, { filters, page }) }
      : undefined;
  return await html(
    c,
    <Layout signed={signed} path={`/evidence/${id}`} title={`Evidence ${id}`}>
      <PackageDetail id={id} signed={signed} opened={opened} timeline={timeline} showVerification={verify} />
    </Layout>,
  );
}

type Taking = 'evidence.download' | 'evidence.export';

/** Taking evidence out of the store is recorded, a refusal (`denied`) as much as a download. */
async function recordTaking(
  options: ConsoleOptions,
  signed: Signed,
  taking: { action: Taking; id: string; outcome: 'denied' | 'succeeded'; details?: Record<string, unknown> },
): Promise<void> {
  await appendAudit(options.store, {
    actor: signed.principal.subject,
    action: taking.action,
    target: `evidence-package/${taking.id.slice(0, 60)}`,
    outcome: taking.outcome,
    details: taking.details ?? {},
  });
}

async function refuseUnlessReader(options: ConsoleOptions, signed: Signed, action: Taking, id: string) {
  if (hasRole(signed.principal, 'auditor') || hasRole(signed.principal, 'responder')) return;
  await recordTaking(options, signed, { action, id, outcome: 'denied' });
  requireEvidenceReader(signed.principal, 'take evidence out of the store');
}

async function download(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const id = c.req.param('id') ?? '';
  await refuseUnlessReader(options, signed, 'evidence.download', id);
  const root = packageRoot(evidenceRootOf(options), id);
  c.header('content-type', 'application/x-tar');
  c.header('content-disposition', `attachment; filename="${id}.tar"`);
  c.header('cache-control', 'no-store');
  // A HEAD takes nothing out: it is answered with the headers alone and not recorded as a download.
  if (c.req.method === 'HEAD') return c.body(null);
  const paths = filesOf(root);
  // Recorded when the archive starts: it streams after the answer begins, so the entry cannot wait for its end.
  const details = { package: id, files: paths.length };
  await recordTaking(options, signed, { action: 'evidence.download', id, outcome: 'succeeded', details });
  return c.body(Readable.toWeb(Readable.from(tarFiles(root, id, paths))) as ReadableStream);
}

const exportFormats = {
  timesketch: { type: 'application/x-ndjson', extension: 'jsonl' },
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
  bodyfile: { type: 'text/plain; charset=utf-8', extension: 'bodyfile' },
} as const;

function exportFormat(c: ConsoleContext): ExportFormat {
  const format = c.req.param('format') ?? '';
  // Own keys only: `in` would take `constructor` or `__proto__` for a format.
  if (Object.hasOwn(exportFormats, format)) return format as ExportFormat;
  throw new AppError('input.invalid', `unknown export format "${format.slice(0, 40)}"`, {
    fix: 'Use timesketch, csv or bodyfile',
  });
}

/** An export streams from the verified view; a package that does not verify is not exported. */
async function exportTimeline(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const id = c.req.param('id') ?? '';
  await refuseUnlessReader(options, signed, 'evidence.export', id);
  const chosen = exportFormat(c);
  const headers = {
    'content-type': exportFormats[chosen].type,
    'content-disposition': `attachment; filename="${id}.${exportFormats[chosen].extension}"`,
    'cache-control': 'no-store',
  };
  // A HEAD answers for an existing package without verifying it, and takes nothing out (no audit).
  packageRoot(evidenceRootOf(options), id);
  if (c.req.method === 'HEAD') return c.body(null, 200, headers);
  const opened = await openedView(options, id, false);
  if (opened.kind === 'failed')
    throw new AppError('conflict', `package ${id} does not verify, so its timeline is not exported`, {
      fix: 'Open its page to see what changed; download the package to examine it',
    });
  const details = { package: id, format: chosen, packageHash: opened.view.packageHash };
  await recordTaking(options, signed, { action: 'evidence.export', id, outcome: 'succeeded', details });
  const body = Readable.from(exportChunks(options.store, opened.view, chosen));
  return c.body(Readable.toWeb(body) as ReadableStream, 200, headers);
}

/** `/evidence` and `/evidence/ID`: packages, custody, verification, indicators, timeline, files. */
export function mountEvidence(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/evidence',
    page(options, (c, signed) => listPage(c, options, signed)),
  );
  app.get(
    '/evidence/:id',
    page(options, (c, signed) => detailPage(c, options, signed, false)),
  );
  app.post(
    '/evidence/:id/verify',
    page(options, (c, signed) => detailPage(c, options, signed, true)),
  );
  app.get(
    '/evidence/:id/download',
    page(options, (c, signed) => download(c, options, signed)),
  );
  app.get(
    '/evidence/:id/export/:format',
    page(options, (c, signed) => exportTimeline(c, options, signed)),
  );
}
