import type { Hono } from 'hono';
import { messageOf } from '../errors.js';
import { hasRole, requireRole } from '../identity/index.js';
import { listSyncedClusters, listSyncRuns, type SyncRun } from '../inventory/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Csrf, Empty, When } from './components.js';
import { mountDiff } from './governance-diff.js';
import { mountRisks } from './governance-risks.js';
import { clip, syncQuery } from './governance-source.js';
import { mountSubjectPage } from './governance-subject.js';
import { mountSyncNow } from './governance-sync.js';
import { mountWhoCan } from './governance-who-can.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** How many runs of each cluster the overview lists, newest first. */
const runsShown = 10;

const bindingsOf = (run: SyncRun) => (run.counts.roleBindings ?? 0) + (run.counts.clusterRoleBindings ?? 0);
const rolesOf = (run: SyncRun) => (run.counts.roles ?? 0) + (run.counts.clusterRoles ?? 0);

export function RunStatus(props: { run: SyncRun }) {
  const { run } = props;
  if (run.errors.length === 0) return <span>complete</span>;
  return (
    <div>
      <strong class="warn-text">
        {run.status === 'failed' ? 'failed (no RBAC read; queries skip it)' : 'incomplete'}
      </strong>
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
            <th scope="col">Pods</th>
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
              <td>{run.counts.pods ?? 'not read'}</td>
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

/** Known clusters first (they can be synced), then any with stored runs that Gatehouse no longer knows. */
async function clustersShown(options: ConsoleOptions): Promise<{ names: string[]; listingError?: string }> {
  const synced = await listSyncedClusters(options.store);
  const listing = await options.listClusters?.().catch((error: unknown) => ({
    clusters: [],
    errors: [{ source: 'clusters', message: messageOf(error) }],
  }));
  const known = (listing?.clusters ?? []).map((cluster) => cluster.name);
  const listingError = listing?.errors[0]?.message;
  return {
    names: [...new Set([...known, ...synced])].sort(),
    ...(listingError ? { listingError } : {}),
  };
}

function SyncButton(props: { cluster: string; csrf: string }) {
  return (
    <form method="post" action="/governance/sync" class="inline-form">
      <Csrf token={props.csrf} />
      <input type="hidden" name="cluster" value={props.cluster} />
      <button type="submit">Sync now</button>
    </form>
  );
}

function ClusterCard(props: { cluster: string; runs: readonly SyncRun[]; signed: Signed }) {
  const { cluster, runs } = props;
  const query = syncQuery({ cluster });
  return (
    <section class="card" aria-label={`Syncs of ${clip(cluster, 60)}`}>
      <h2>{clip(cluster)}</h2>
      {hasRole(props.signed.principal, 'admin') ? (
        <SyncButton cluster={cluster} csrf={props.signed.csrf} />
      ) : (
        <p class="hint">Only administrators can sync; auditors read the stored runs.</p>
      )}
      {runs.length === 0 ? (
        <Empty>Never synced.</Empty>
      ) : (
        <>
          <p class="links">
            <a href={`/governance/who-can?${query}`}>Who can…</a>
            {' · '}
            <a href={`/governance/risks?${query}`}>Risks</a>
            {' · '}
            <a href={`/governance/diff?${query}`}>What changed</a>
          </p>
          <RunsTable cluster={cluster} runs={runs} />
        </>
      )}
    </section>
  );
}

function SyncedNotice(props: { run: SyncRun | undefined }) {
  const { run } = props;
  if (!run) return null;
  const text = `Synced ${clip(run.cluster)}: run ${run.id.slice(0, 8)}, ${run.status}.`;
  return (
    <div class={`notice ${run.errors.length > 0 ? 'error' : 'ok'}`} role="status">
      <p>{text}</p>
      {run.errors.map((error) => (
        <p>{`could not read ${clip(error.resource, 80)}: ${clip(error.message, 200)}`}</p>
      ))}
    </div>
  );
}

async function overview(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const { names, listingError } = await clustersShown(options);
  const runs = await Promise.all(names.map((cluster) => listSyncRuns(options.store, cluster, runsShown)));
  const syncedId = c.req.query('synced')?.slice(0, 64);
  const synced = syncedId ? runs.flat().find((run) => run.id === syncedId) : undefined;
  return await html(
    c,
    <Layout signed={signed} path="/governance" title="Governance">
      <p class="lead">
        Who can do what, answered from the stored RBAC syncs of each cluster by the same engine as{' '}
        <code>gatehouse rbac</code>. Ask <a href="/governance/who-can">who can</a> do something, see the{' '}
        <a href="/governance/risks">risky grants</a> or <a href="/governance/diff">what changed</a> between
        two syncs; open a subject from an answer to see all its permissions.
      </p>
      <SyncedNotice run={synced} />
      {listingError ? (
        <div class="notice error" role="alert">
          <p>{`Some clusters could not be listed: ${clip(listingError, 300)}`}</p>
        </div>
      ) : null}
      {names.length === 0 ? (
        <Empty>
          No cluster is known and none has a stored RBAC sync: run gatehouse rbac sync --context NAME.
        </Empty>
      ) : (
        names.map((cluster, at) => <ClusterCard cluster={cluster} runs={runs[at] ?? []} signed={signed} />)
      )}
    </Layout>,
  );
}

/** The governance pages: auditors and admins read them; only admins sync. */
export function mountGovernance(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance',
    page(options, (c, signed) => overview(c, options, signed)),
  );
  mountSyncNow(app, options);
  mountWhoCan(app, options);
  mountSubjectPage(app, options);
  mountRisks(app, options);
  mountDiff(app, options);
}
