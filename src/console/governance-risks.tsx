import type { Hono } from 'hono';
import { AppError } from '../errors.js';
import { requireRole } from '../identity/index.js';
import { listSyncedClusters, sourceWarnings } from '../inventory/index.js';
import { findRisks, type RiskFinding, type Severity } from '../rbac/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { chooseSync, clip, openSync, SourceNotice, type SyncChoice } from './governance-source.js';
import { ClusterField, subjectLinkOf } from './governance-who-can.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

const severities: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
/** Past this many rows the list is cut (and says so): narrow it with the filters. */
const rowsShown = 500;

/** The filters as given in the query string; blank ones do not filter. */
export interface RiskFilters {
  readonly severity?: Severity;
  readonly check?: string;
  /** A namespace, or `cluster` for cluster-wide findings. */
  readonly namespace?: string;
  readonly includeDefaults: boolean;
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
  };
}

/** Findings at or above the severity, of the check, in the namespace (`cluster`: cluster-wide only). */
export function filterRisks(findings: readonly RiskFinding[], filters: RiskFilters): RiskFinding[] {
  const threshold = filters.severity ? severities.indexOf(filters.severity) : severities.length - 1;
  return findings.filter(
    (finding) =>
      severities.indexOf(finding.severity) <= threshold &&
      (!filters.check || finding.check === filters.check) &&
      (!filters.namespace ||
        (filters.namespace === 'cluster'
          ? finding.namespace === undefined
          : finding.namespace === filters.namespace)),
  );
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

function Findings(props: { findings: readonly RiskFinding[]; choice: SyncChoice }) {
  if (props.findings.length === 0) return <Empty>No finding matches.</Empty>;
  return (
    <>
      <p>
        {props.findings.length > rowsShown
          ? `${props.findings.length} findings; the first ${rowsShown} (most severe first) are shown. Narrow them with the filters.`
          : `${props.findings.length} ${props.findings.length === 1 ? 'finding' : 'findings'}, most severe first.`}
      </p>
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
            {props.findings.slice(0, rowsShown).map((finding) => {
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
    </>
  );
}

async function risksPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const filters = riskFilters(c);
  const clusters = await listSyncedClusters(options.store);
  const choice = await chooseSync(c, options.store, { firstOfSeveral: true });
  const source = await openSync(options.store, choice);
  const all = findRisks(source.index, {
    includeDefaults: filters.includeDefaults,
    ...(source.awsAuth ? { awsAuth: source.awsAuth } : {}),
  });
  const checks = new Map<string, number>();
  for (const finding of all) checks.set(finding.check, (checks.get(finding.check) ?? 0) + 1);
  return await html(
    c,
    <Layout signed={signed} path="/governance/risks" title="Risks">
      <SourceNotice source={{ label: source.label, warnings: sourceWarnings(source) }} />
      <FilterForm filters={filters} choice={choice} clusters={clusters} checks={checks} />
      <Findings findings={filterRisks(all, filters)} choice={choice} />
    </Layout>,
  );
}

export function mountRisks(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance/risks',
    page(options, (c, signed) => risksPage(c, options, signed)),
  );
}
