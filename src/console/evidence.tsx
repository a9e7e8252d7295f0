import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { appendAudit } from '../audit/index.js';
import { AppError } from '../errors.js';
import {
  buildTimeline,
  factsOf,
  openPackage,
  toBodyfile,
  toTimelineCsv,
  toTimesketchJsonl,
} from '../forensics/index.js';
import { hasRole, type Principal, requireRole } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Csrf, Empty } from './components.js';
import { filesOf, listPackages, packageRoot, readPackage, verifyWithAnchors } from './evidence-data.js';
import { ProcessTree } from './evidence-processes.js';
import { Custody, FileList, Indicators, PackageRows, VerifyResult } from './evidence-sections.js';
import { TimelineSection, timelineFilters } from './evidence-timeline.js';
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
  const packages = options.evidenceRoot ? listPackages(options.evidenceRoot) : undefined;
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
  const root = evidenceRootOf(options);
  const detail = readPackage(root, id);
  const outcome = verify ? await verifyWithAnchors(options.store, root, id) : undefined;
  const pkg = openPackage(packageRoot(root, id));
  const facts = factsOf(pkg);
  const events = buildTimeline(pkg, facts);
  return await html(
    c,
    <Layout signed={signed} path={`/evidence/${id}`} title={`Evidence ${id}`}>
      <p>
        <a href="/evidence">All packages</a>
      </p>
      {outcome ? <VerifyResult outcome={outcome} /> : null}
      <section class="card actions">
        <form method="post" action={`/evidence/${id}/verify`}>
          <Csrf token={signed.csrf} />
          <button type="submit">Verify</button>
        </form>
        <a class="button secondary" href={`/evidence/${id}/download`}>
          Download package (.tar)
        </a>
        <span>Timeline as </span>
        <a href={`/evidence/${id}/export/timesketch`}>Timesketch JSONL</a>
        <a href={`/evidence/${id}/export/csv`}>CSV</a>
        <a href={`/evidence/${id}/export/bodyfile`}>bodyfile</a>
      </section>
      <Custody custody={detail.custody} />
      <section class="card" aria-labelledby="indicators-heading">
        <h2 id="indicators-heading">{`Indicators (${detail.indicators.length})`}</h2>
        <Indicators indicators={detail.indicators} />
      </section>
      <section class="card" aria-labelledby="processes-heading">
        <h2 id="processes-heading">Processes</h2>
        <ProcessTree processes={facts.processes} indicators={detail.indicators} />
      </section>
      <TimelineSection id={id} events={events} filters={timelineFilters(c)} />
      <section class="card" aria-labelledby="files-heading">
        <h2 id="files-heading">Files</h2>
        <FileList items={detail.items} />
      </section>
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

async function exportTimeline(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const id = c.req.param('id') ?? '';
  await refuseUnlessReader(options, signed, 'evidence.export', id);
  const format = c.req.param('format') ?? '';
  if (!(format in exportFormats))
    throw new AppError('input.invalid', `unknown export format "${format.slice(0, 40)}"`, {
      fix: 'Use timesketch, csv or bodyfile',
    });
  const chosen = format as keyof typeof exportFormats;
  const pkg = openPackage(packageRoot(evidenceRootOf(options), id));
  const details = { package: id, format: chosen };
  c.header('content-type', exportFormats[chosen].type);
  c.header('content-disposition', `attachment; filename="${id}.${exportFormats[chosen].extension}"`);
  c.header('cache-control', 'no-store');
  if (c.req.method === 'HEAD') return c.body(null);
  await recordTaking(options, signed, { action: 'evidence.export', id, outcome: 'succeeded', details });
  const body =
    chosen === 'timesketch'
      ? toTimesketchJsonl(buildTimeline(pkg))
      : chosen === 'csv'
        ? toTimelineCsv(buildTimeline(pkg))
        : toBodyfile(factsOf(pkg).files);
  return c.body(body);
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
