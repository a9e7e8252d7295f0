import type { Hono } from 'hono';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { html, page } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** `/clusters`: the clusters Gatehouse knows, and what it could not list. */
export function mountClusters(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/clusters',
    page(options, async (c, signed) => {
      const listing = options.listClusters ? await options.listClusters() : undefined;
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
        </Layout>,
      );
    }),
  );
}
