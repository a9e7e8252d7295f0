import type { Hono } from 'hono';
import { requireRole } from '../identity/index.js';
import { listSyncedClusters, listSyncRuns, type SyncRun } from '../inventory/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty, When } from './components.js';
import { clip, syncQuery } from './governance-source.js';
import { mountSubjectPage } from './governance-subject.js';
import { mountWhoCan } from './governance-who-can.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** How many runs of each cluster the overview lists, newest first. */
const runsShown = 10;

const bindingsOf = (run: SyncRun) => (run.counts.roleBindings ?? 0) + (run.counts.clusterRoleBindings ?? 0);
const rolesOf = (run: SyncRun) => (run.counts.roles ?? 0) + (run.counts.clusterRoles ?? 0);

function RunStatus(props: { run: SyncRun }) {
  const { run } = props;
  if (run.errors.length === 0) return <span>complete</span>;
  return (
    <div>
      <strong>{run.status === 'failed' ? 'failed (no RBAC read; queries skip it)' : 'incomplete'}</strong>
      <ul>
        {run.errors.map((error) => (
          <li>{`could not read ${clip(error.resource, 80)}: ${clip(error.message, 200)}`}</li>
        ))}
      </ul>
    </div>
  );
}

function RunsTable(props: { cluster: string; runs: readonly SyncRun[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Finished</th>
            <th scope="col">Run</th>
            <th scope="col">Namespaces</th>
            <th scope="col">Service accounts</th>
            <th scope="col">Roles</th>
            <th scope="col">Bindings</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => (
            <tr>
              <td>
                <When at={run.finishedAt} />
              </td>
              <td>
                {run.status === 'failed' ? (
                  <code>{run.id.slice(0, 8)}</code>
                ) : (
                  <a href={`/governance/who-can?${syncQuery({ cluster: props.cluster, run: run.id })}`}>
                    <code>{run.id.slice(0, 8)}</code>
                  </a>
                )}
              </td>
              <td>{run.counts.namespaces ?? 0}</td>
              <td>{run.counts.serviceAccounts ?? 0}</td>
              <td>{rolesOf(run)}</td>
              <td>{bindingsOf(run)}</td>
              <td class="wrap">
                <RunStatus run={run} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function overview(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const clusters = await listSyncedClusters(options.store);
  const runs = await Promise.all(clusters.map((cluster) => listSyncRuns(options.store, cluster, runsShown)));
  return await html(
    c,
    <Layout signed={signed} path="/governance" title="Governance">
      <p class="lead">
        Who can do what, answered from the stored RBAC syncs of each cluster by the same engine as{' '}
        <code>gatehouse rbac</code>. Ask <a href="/governance/who-can">who can</a> do something, or open a
        subject from an answer to see all its permissions.
      </p>
      {clusters.length === 0 ? (
        <Empty>No cluster has a stored RBAC sync yet: run gatehouse rbac sync --context NAME.</Empty>
      ) : (
        clusters.map((cluster, at) => (
          <section class="card" aria-label={`Syncs of ${clip(cluster, 60)}`}>
            <h2>{clip(cluster)}</h2>
            <p>
              <a href={`/governance/who-can?${syncQuery({ cluster })}`}>Ask who can, on the latest sync</a>
            </p>
            <RunsTable cluster={cluster} runs={runs[at] ?? []} />
          </section>
        ))
      )}
      <section class="card">
        <h2>Coming next</h2>
        <p>
          Risky permissions with their severity, what changed between two syncs, and a picture of who reaches
          what. Today: gatehouse rbac risks and gatehouse rbac diff on the command line.
        </p>
      </section>
    </Layout>,
  );
}

/** `/governance`, `/governance/who-can` and `/governance/subjects/…`: auditors and admins only. */
export function mountGovernance(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance',
    page(options, (c, signed) => overview(c, options, signed)),
  );
  mountWhoCan(app, options);
  mountSubjectPage(app, options);
}
