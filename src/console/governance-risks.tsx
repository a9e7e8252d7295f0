import type { Hono } from 'hono';
import { AppError } from '../errors.js';
import { requireRole } from '../identity/index.js';
import {
  chosenRun,
  listSyncedClusters,
  riskMatches,
  runLabel,
  runWarnings,
  storedRisks,
} from '../inventory/index.js';
import type { RiskFinding, Severity } from '../rbac/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { chooseSync, clip, SourceNotice, type SyncChoice } from './governance-source.js';
import { ClusterField, subjectLinkOf } from './governance-who-can.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

const severities: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
/** Findings per page: past this many, the page links to the next (or narrow them with the filters). */
const rowsShown = 500;
/** Pages past this one are not offered: a link to page 10^9 would make the database skip that far. */
const lastPage = 10_000;

/** The filters as given in the query string; blank ones do not filter. */
export interface RiskFilters {
  readonly severity?: Severity;
  readonly check?: string;
  /** A namespace, or `cluster` for cluster-wide findings. */
  readonly namespace?: string;
  readonly includeDefaults: boolean;
  /** 1 for the first `rowsShown` findings. */
  readonly page: number;
}

export function riskFilters(c: ConsoleContext): RiskFilters {
  const value = (name: string) => c.req.query(name)?.trim().slice(0, 253) || undefined;
  const severity = value('severity');
  if (severity && !severities.includes(severity as Severity))
    throw new AppError('input.invalid', `unknown severity "${clip(severity, 40)}"`, {
      fix: `Use one of ${severities.join(', ')}`,
    });
  return {
    ...(severity ? { severity: severity as Severity } : {}),
    ...(value('check') ? { check: value('check')! } : {}),
    ...(value('namespace') ? { namespace: value('namespace')! } : {}),
    includeDefaults: c.req.query('defaults') === 'on',
    page: Math.min(lastPage, Math.max(1, Math.floor(Number(c.req.query('page') ?? 1)) || 1)),
  };
}

/** Findings at or above the severity, of the check, in the namespace (`cluster`: cluster-wide only). */
export function filterRisks(
  findings: readonly RiskFinding[],
  filters: Omit<RiskFilters, 'page'>,
): RiskFinding[] {
  return findings.filter((finding) => riskMatches(finding, filters));
}

function Select(props: {
  id: string;
  label: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div class="field">
      <label for={`risk-${props.id}`}>{props.label}</label>
      <select id={`risk-${props.id}`} name={props.id}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === (props.value ?? '')}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function FilterForm(props: {
  filters: RiskFilters;
  choice: SyncChoice;
  clusters: readonly string[];
  checks: ReadonlyMap<string, number>;
}) {
  const { filters } = props;
  return (
    <form method="get" action="/governance/risks" class="inline-form" aria-label="Filter risks">
      <ClusterField clusters={props.clusters} value={props.choice.cluster} id="risk-cluster" />
      <Select
        id="severity"
        label="Severity"
        value={filters.severity}
        options={[
          { value: '', label: 'all' },
          ...severities.map((severity) => ({
            value: severity,
            label: severity === 'critical' ? 'critical only' : `${severity} and worse`,
          })),
        ]}
      />
      <Select
        id="check"
        label="Check"
        value={filters.check}
        options={[
          { value: '', label: 'every check' },
          ...[...props.checks].map(([check, count]) => ({ value: check, label: `${check} (${count})` })),
        ]}
      />
      <div class="field">
        <label for="risk-namespace">Namespace</label>
        <input
          type="text"
          id="risk-namespace"
          name="namespace"
          value={filters.namespace ?? ''}
          placeholder="e.g. payments, or cluster"
        />
      </div>
      <div class="field checkbox">
        <input type="checkbox" id="risk-defaults" name="defaults" checked={filters.includeDefaults} />
        <label for="risk-defaults">Include Kubernetes' own bindings</label>
      </div>
      <button type="submit">Filter</button>
    </form>
  );
}

/** The same filters on another page of findings. */
function pageHref(c: ConsoleContext, page: number): string {
  const params = new URLSearchParams(c.req.query());
  params.set('page', String(page));
  return `/governance/risks?${params.toString()}`;
}

function Pager(props: { c: ConsoleContext; page: number; total: number }) {
  const pages = Math.min(lastPage, Math.ceil(props.total / rowsShown));
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages of findings">
      {props.page > 1 ? <a href={pageHref(props.c, props.page - 1)}>Previous</a> : null}
      {` Page ${props.page} of ${pages} `}
      {props.page < pages ? <a href={pageHref(props.c, props.page + 1)}>Next</a> : null}
    </nav>
  );
}

function Findings(props: {
  c: ConsoleContext;
  findings: readonly RiskFinding[];
  total: number;
  page: number;
  choice: SyncChoice;
}) {
  if (props.total === 0) return <Empty>No finding matches.</Empty>;
  const first = (props.page - 1) * rowsShown + 1;
  return (
    <>
      <p>
        {props.total > rowsShown
          ? `${props.total} findings, most severe first; ${first} to ${first + props.findings.length - 1} are shown. Narrow them with the filters.`
          : `${props.total} ${props.total === 1 ? 'finding' : 'findings'}, most severe first.`}
      </p>
      <Pager c={props.c} page={props.page} total={props.total} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Check</th>
              <th scope="col">Subject</th>
              <th scope="col">Where</th>
              <th scope="col">Path that gives it</th>
            </tr>
          </thead>
          <tbody>
            {props.findings.map((finding) => {
              const href = subjectLinkOf(finding.subject, props.choice);
              return (
                <tr>
                  <td>
                    <span class={`badge badge-${finding.severity}`}>{finding.severity}</span>
                  </td>
                  <td class="wrap">
                    <code>{clip(finding.check, 60)}</code>
                    <br />
                    <span class="muted">{clip(finding.title, 200)}</span>
                  </td>
                  <td class="wrap">
                    {href ? <a href={href}>{clip(finding.subject)}</a> : clip(finding.subject)}
                  </td>
                  <td class="nowrap">{finding.namespace ? clip(finding.namespace, 63) : 'cluster-wide'}</td>
                  <td class="wrap grant-path">
                    <code>{clip(finding.path, 400)}</code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager c={props.c} page={props.page} total={props.total} />
    </>
  );
}

async function risksPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const filters = riskFilters(c);
  const clusters = await listSyncedClusters(options.store);
  const choice = await chooseSync(c, options.store, { firstOfSeveral: true });
  const run = await chosenRun(options.store, choice.cluster, choice.run);
  // Rows stored with the run, filtered and paged by the database: never the whole snapshot.
  const ask = (page: number) =>
    storedRisks(options.store, run, { ...filters, offset: (page - 1) * rowsShown, limit: rowsShown });
  let page = filters.page;
  let stored = await ask(page);
  // Past the last page (a stale link after filtering): the last page, not an empty one.
  const pages = Math.max(1, Math.ceil(stored.total / rowsShown));
  if (page > pages) {
    page = pages;
    stored = await ask(page);
  }
  return await html(
    c,
    <Layout signed={signed} path="/governance/risks" title="Risks">
      <SourceNotice source={{ label: runLabel(run), warnings: await runWarnings(options.store, run) }} />
      <FilterForm filters={filters} choice={choice} clusters={clusters} checks={stored.checks} />
      <Findings c={c} findings={stored.findings} total={stored.total} page={page} choice={choice} />
    </Layout>,
  );
}

export function mountRisks(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance/risks',
    page(options, (c, signed) => risksPage(c, options, signed)),
  );
}
