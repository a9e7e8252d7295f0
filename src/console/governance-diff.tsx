import type { Hono } from 'hono';
import { AppError } from '../errors.js';
import { requireRole } from '../identity/index.js';
import { diffRuns, listSyncedClusters, listSyncRuns, runWarnings, type SyncRun } from '../inventory/index.js';
import type { EffectiveGrant } from '../rbac/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty, When } from './components.js';
import { chooseSync, clip, SourceNotice, type SyncChoice } from './governance-source.js';
import { ClusterField, subjectLinkOf } from './governance-who-can.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** How many runs of the cluster the pickers offer, newest first. */
const runsOffered = 50;
/** Past this many rows a list of changes is cut (and says so). */
const rowsShown = 500;

/** The two runs compared: as asked (`?from=&to=`), else the cluster's last two usable runs. */
export function pickRuns(
  runs: readonly SyncRun[],
  asked: { readonly from?: string | undefined; readonly to?: string | undefined },
  cluster: string,
): { from: SyncRun; to: SyncRun } {
  const find = (id: string) => runs.find((run) => run.id === id || run.id.startsWith(id));
  const to = asked.to ? find(asked.to) : runs[0];
  const from = asked.from
    ? find(asked.from)
    : runs.find((run) => run !== to && run.startedAt <= (to?.startedAt ?? ''));
  if (!to || !from)
    throw new AppError(
      'not-found',
      asked.from || asked.to
        ? `no usable sync run ${clip(asked.to && !to ? asked.to : (asked.from ?? ''), 40)} of ${clip(cluster, 60)}`
        : `what changed needs two usable sync runs of ${clip(cluster, 60)}`,
      { fix: 'Sync the cluster again on the Governance page (admins), then compare' },
    );
  return { from, to };
}

const runLabel = (run: SyncRun) =>
  `${run.finishedAt.slice(0, 19).replace('T', ' ')} UTC · ${run.id.slice(0, 8)}${run.status === 'partial' ? ' (incomplete)' : ''}`;

function RunPicker(props: { id: 'from' | 'to'; label: string; runs: readonly SyncRun[]; chosen: SyncRun }) {
  return (
    <div class="field">
      <label for={`diff-${props.id}`}>{props.label}</label>
      <select id={`diff-${props.id}`} name={props.id}>
        {props.runs.map((run) => (
          <option value={run.id} selected={run.id === props.chosen.id}>
            {runLabel(run)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Grants of one subject in one place through the same bindings: one row, its rules listed. */
interface ChangeRow {
  readonly subject: string;
  readonly namespace: string | undefined;
  readonly via: readonly string[];
  readonly rules: string[];
}

export function groupChanges(grants: readonly EffectiveGrant[]): ChangeRow[] {
  const rows = new Map<string, ChangeRow>();
  for (const grant of grants) {
    const key = JSON.stringify([grant.subject, grant.namespace ?? null, grant.via]);
    const row = rows.get(key) ?? {
      subject: grant.subject,
      namespace: grant.namespace,
      via: grant.via,
      rules: [],
    };
    row.rules.push(grant.rule);
    rows.set(key, row);
  }
  return [...rows.values()];
}

function Changes(props: {
  title: string;
  sign: '+' | '−';
  grants: readonly EffectiveGrant[];
  choice: SyncChoice;
}) {
  const rows = groupChanges(props.grants);
  return (
    <section class="card" aria-label={props.title}>
      <h2>{`${props.title} (${props.grants.length} ${props.grants.length === 1 ? 'grant' : 'grants'})`}</h2>
      {rows.length === 0 ? (
        <Empty>None.</Empty>
      ) : (
        <>
          {rows.length > rowsShown ? <p>{`The first ${rowsShown} subjects and places are shown.`}</p> : null}
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Subject</th>
                  <th scope="col">Where</th>
                  <th scope="col">Through (binding → role)</th>
                  <th scope="col">Rules</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, rowsShown).map((row) => {
                  const href = subjectLinkOf(row.subject, props.choice);
                  const name = clip(row.subject.replace(':', ' '));
                  return (
                    <tr class={props.sign === '+' ? 'added' : 'removed'}>
                      <td class="wrap">
                        <span aria-hidden="true">{`${props.sign} `}</span>
                        {href ? <a href={href}>{name}</a> : name}
                      </td>
                      <td class="nowrap">{row.namespace ? clip(row.namespace, 63) : 'cluster-wide'}</td>
                      <td class="wrap grant-path">{clip(row.via.join('; '), 400)}</td>
                      <td class="wrap">
                        <ul class="plain">
                          {row.rules.slice(0, 50).map((rule) => (
                            <li>
                              <code>{clip(rule, 200)}</code>
                            </li>
                          ))}
                          {row.rules.length > 50 ? <li>{`… and ${row.rules.length - 50} more`}</li> : null}
                        </ul>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

async function diffPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const clusters = await listSyncedClusters(options.store);
  const choice = await chooseSync(c, options.store, { firstOfSeveral: true });
  const runs = await listSyncRuns(options.store, choice.cluster, runsOffered, { usableOnly: true });
  const asked = { from: c.req.query('from')?.slice(0, 64), to: c.req.query('to')?.slice(0, 64) };
  const { from, to } = pickRuns(runs, asked, choice.cluster);
  const diff = await diffRuns(options.store, { from: from.id, to: to.id });
  const warnings = [
    ...new Set([...(await runWarnings(options.store, from)), ...(await runWarnings(options.store, to))]),
  ];
  return await html(
    c,
    <Layout signed={signed} path="/governance/diff" title="What changed">
      <SourceNotice
        source={{
          label: `runs ${from.id.slice(0, 8)} and ${to.id.slice(0, 8)} of ${clip(choice.cluster, 60)}`,
          warnings,
        }}
      />
      <form method="get" action="/governance/diff" class="inline-form" aria-label="Compare two syncs">
        <ClusterField clusters={clusters} value={choice.cluster} id="diff-cluster" />
        <RunPicker id="from" label="From (earlier)" runs={runs} chosen={from} />
        <RunPicker id="to" label="To (later)" runs={runs} chosen={to} />
        <button type="submit">Compare</button>
      </form>
      <p>
        {'From the sync of '}
        <When at={from.finishedAt} seconds />
        {' to the sync of '}
        <When at={to.finishedAt} seconds />
        {
          '. A grant is one subject allowed one rule in one place: a new binding of a role with three rules adds three.'
        }
      </p>
      <Changes title="Added" sign="+" grants={diff.added} choice={choice} />
      <Changes title="Removed" sign="−" grants={diff.removed} choice={choice} />
    </Layout>,
  );
}

export function mountDiff(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance/diff',
    page(options, (c, signed) => diffPage(c, options, signed)),
  );
}
