import { Hono } from 'hono';
import { listAudit, verifyAudit } from '../../audit/index.js';
import { requireRole } from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import { routerPath, routes } from '../contract/index.js';
import type { ServerEnv } from '../env.js';
import { queryOf, reply } from '../validate.js';

/** The audit log over HTTP, mounted at /v1/audit. It names every user, cluster and reason: admins and auditors only. */
export function auditRoutes(store: Store): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use('*', async (c, next) => {
    requireRole(c.get('principal'), 'auditor', 'read the audit log');
    await next();
  });
  app.get(routerPath(routes.listAudit, '/v1/audit'), async (c) => {
    const { after, limit } = queryOf(c, routes.listAudit);
    return reply(c, routes.listAudit, 200, { items: await listAudit(store, { afterSeq: after, limit }) });
  });
  app.get(routerPath(routes.verifyAudit, '/v1/audit'), async (c) =>
    reply(c, routes.verifyAudit, 200, await verifyAudit(store)),
  );
  return app;
}
