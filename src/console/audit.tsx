import type { Hono } from 'hono';
import { type AuditEvent, type ChainReport, canonicalJson, listAudit, verifyAudit } from '../audit/index.js';
import { AppError } from '../errors.js';
import { requireRole } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty, When } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** How many entries the page shows; filters narrow it down. */
const pageSize = 200;

export interface AuditFilters {
  readonly actor?: string;
  readonly action?: string;
  /** As typed: a date or a date and time, read as UTC. */
  readonly since?: string;
}

/** A date (`2026-12-01`) or date-time (`2026-12-01T05:00`) as typed, as an ISO instant in UTC. */
export function sinceInstant(text: string): string {
  const full = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00.000Z`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)
      ? `${text}:00.000Z`
      : text;
  const at = Date.parse(full);
  if (!/^\d{4}-\d{2}-\d{2}/.test(full) || Number.isNaN(at))
    throw new AppError('input.invalid', `"${text.slice(0, 40)}" is not a date`, {
      fix: 'Write a date like 2026-12-01 or a date and time like 2026-12-01T05:00 (UTC)',
    });
  return new Date(at).toISOString();
}

function VerifyResult(props: { report: ChainReport }) {
  const { report } = props;
  return (
    <div class={`notice ${report.ok ? 'ok' : 'error'}`} role="status">
      <p>
        <strong>{report.ok ? 'The audit chain verifies.' : 'The audit chain does NOT verify.'}</strong>
        {` ${report.checked} entries checked; head ${report.head.slice(0, 16)}…`}
      </p>
      {report.problems.map((problem) => (
        <p>{`Entry ${problem.seq}: ${problem.problem}`}</p>
      ))}
      {report.notes.map((note) => (
        <p>{note}</p>
      ))}
    </div>
  );
}

function Filters(props: { filters: AuditFilters }) {
  const { filters } = props;
  return (
    <form method="get" action="/audit" class="inline-form" aria-label="Filter the audit log">
      <div class="field">
        <label for="filter-actor">Actor</label>
        <input type="text" id="filter-actor" name="actor" value={filters.actor ?? ''} />
      </div>
      <div class="field">
        <label for="filter-action">Action</label>
        <input
          type="text"
          id="filter-action"
          name="action"
          value={filters.action ?? ''}
          placeholder="e.g. access.approve"
        />
      </div>
      <div class="field">
        <label for="filter-since">Since (UTC)</label>
        <input
          type="text"
          id="filter-since"
          name="since"
          value={filters.since ?? ''}
          placeholder="e.g. 2026-12-01"
        />
      </div>
      <button type="submit" class="secondary">
        Filter
      </button>
      <a href="/audit">Clear</a>
    </form>
  );
}

/** Details in one short line, the whole of them one click away (no script needed). */
function Details(props: { details: Readonly<Record<string, unknown>> }) {
  const line = canonicalJson(props.details);
  if (line.length <= 60) return <code>{line}</code>;
  return (
    <details>
      <summary>
        <code>{`${line.slice(0, 56)}…`}</code>
      </summary>
      <pre>{JSON.stringify(props.details, null, 2)}</pre>
    </details>
  );
}

function AuditTable(props: { entries: readonly AuditEvent[] }) {
  if (props.entries.length === 0) return <Empty>No audit entries match.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry) => (
            <tr>
              <td>{entry.seq}</td>
              <td>
                <When at={entry.at} seconds={true} />
              </td>
              <td>{entry.actor}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td class="wrap">{entry.target}</td>
              <td>{entry.outcome}</td>
              <td class="wrap">
                <Details details={entry.details} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function auditPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'read the audit log');
  const filters: AuditFilters = {
    actor: c.req.query('actor')?.trim() || undefined,
    action: c.req.query('action')?.trim() || undefined,
    since: c.req.query('since')?.trim() || undefined,
  };
  const entries = await listAudit(options.store, {
    newestFirst: true,
    limit: pageSize,
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.since ? { since: sinceInstant(filters.since) } : {}),
  });
  return await html(
    c,
    <Layout signed={signed} path="/audit" title="Audit log">
      <VerifyResult report={await verifyAudit(options.store)} />
      <Filters filters={filters} />
      <p class="lead">{`The newest ${pageSize} matching entries, newest first.`}</p>
      <AuditTable entries={entries} />
    </Layout>,
  );
}

/** `/audit`: the log with filters, and whether its chain verifies; auditors and admins only. */
export function mountAudit(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/audit',
    page(options, (c, signed) => auditPage(c, options, signed)),
  );
}
