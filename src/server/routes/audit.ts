import { Hono } from 'hono';
import { listAudit, verifyAudit } from '../../audit/index.js';
import { AppError } from '../../errors.js';
import { requireRole } from '../../identity/index.js';
import type { Store } from '../../store/index.js';
import type { ServerEnv } from '../env.js';

/** The audit log over HTTP, mounted at /v1/audit. It names every user, cluster and reason: admins and auditors only. */
export function auditRoutes(store: Store): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use('*', async (c, next) => {
    requireRole(c.get('principal'), 'auditor', 'read the audit log');
    await next();
  });
  app.get('/', async (c) => {
    const after = Number(c.req.query('after') ?? '0');
    const limit = Math.min(Number(c.req.query('limit') ?? '500'), 5000);
    if (!Number.isInteger(after) || !Number.isInteger(limit) || limit < 1)
      throw new AppError('input.invalid', 'after and limit must be whole numbers', {
        fix: '?after=0&limit=500',
      });
    return c.json({ items: await listAudit(store, { afterSeq: after, limit }) });
  });
  app.get('/verify', async (c) => c.json(await verifyAudit(store)));
  return app;
}
