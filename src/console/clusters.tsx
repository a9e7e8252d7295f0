import type { Hono } from 'hono';
import { agentClusterStatuses, listAgents } from '../agent/index.js';
import type { ClusterStatus } from '../clusters/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty, When } from './components.js';
import { html, page } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** `/clusters`: the clusters Gatehouse knows, and what it could not list. */
export function mountClusters(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/clusters',
    page(options, async (c, signed) => {
      const listing = options.listClusters ? await options.listClusters() : undefined;
      const agents = agentClusterStatuses(await listAgents(options.store));
      return await html(
        c,
        <Layout signed={signed} path="/clusters" title="Clusters">
          {listing === undefined ? (
            <Empty>This server was started without a cluster listing.</Empty>
          ) : (
            <>
              {listing.errors.map((error) => (
                <div class="notice error" role="alert">
                  <p>{`${error.source}: ${error.message}`}</p>
                </div>
              ))}
              {listing.clusters.length === 0 ? (
                <Empty>Gatehouse knows no cluster: add a kubeconfig context or a cloud account.</Empty>
              ) : (
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Provider</th>
                        <th scope="col">API server</th>
                      </tr>
                    </thead>
                    <tbody>
                      {listing.clusters.map((cluster) => (
                        <tr>
                          <td>
                            <strong>{cluster.name}</strong>
                            {cluster.current ? ' (default)' : ''}
                          </td>
                          <td>{cluster.provider}</td>
                          <td class="wrap">
                            <code>{cluster.server}</code>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
          <AgentClusters statuses={agents} />
        </Layout>,
      );
    }),
  );
}

const stateBadges: Readonly<Record<string, string>> = {
  online: 'badge-active',
  offline: 'badge-refused',
  'never-connected': 'badge-ended',
};

/** Private clusters reached through an in-cluster agent: whether it is connected now, and since when. */
function AgentClusters(props: { statuses: readonly ClusterStatus[] }) {
  if (props.statuses.length === 0) return null;
  return (
    <section aria-labelledby="agents-heading">
      <h2 id="agents-heading">Through an in-cluster agent</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Agent</th>
              <th scope="col">Since</th>
              <th scope="col">Kubernetes</th>
              <th scope="col">What to do</th>
            </tr>
          </thead>
          <tbody>
            {props.statuses.map((status) => {
              const state = status.agent?.state ?? 'never-connected';
              return (
                <tr>
                  <td class="nowrap">
                    <strong>{status.cluster.name}</strong>
                  </td>
                  <td>
                    <span class={`badge ${stateBadges[state] ?? 'badge-ended'}`}>{state}</span>
                  </td>
                  <td>
                    <When at={status.agent?.since} />
                  </td>
                  <td>{status.version ?? ''}</td>
                  <td class="wrap">{sentence(status.error?.message ?? '')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
