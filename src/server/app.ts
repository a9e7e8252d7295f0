import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { applyFlows, listFlows, parseFlowFile } from '../access/index.js';
import { listAudit, verifyAudit } from '../audit/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError, isAppError, messageOf } from '../errors.js';
import { authenticate, hasRole, type Principal, requireRole } from '../identity/index.js';
import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { bodyTooLarge, maxBodyBytes } from './body.js';
import { httpStatusFor } from './errors.js';
import { openApiDocument } from './openapi.js';
import { registerRequestRoutes } from './request-routes.js';

export interface AppOptions {
  readonly store: Store;
  /** Gatehouse's own client for a cluster name; throws `context.unknown` for clusters it does not know. */
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  /** The EKS access entries port of a cluster (access-entry flows); as the reconciler gets it. */
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  /** Called after every change, so the reconciler acts at once instead of at its next tick. */
  /** Called after every change, with the request's id when one request changed. */
  readonly onChange?: (requestId?: string) => void;
  /** What /healthz reports beside ok. */
  readonly health?: () => Record<string, unknown>;
  /** Unexpected errors go here (one line each); the HTTP answer never carries internals. */
  readonly log?: (line: string) => void;
}

type Env = { Variables: { principal: Principal } };

/**
 * The HTTP API: flows, requests, credentials and audit, for callers holding an API token. Every
 * identity comes from the token; every change is audited by the capability it calls.
 */
export function createApp(options: AppOptions): Hono<Env> {
  const { store } = options;
  const changed = <T>(value: T): T => {
    // Answers about one request are `{ request }`: that request is what changed.
    const id = (value as { readonly request?: { readonly id?: unknown } } | null)?.request?.id;
    options.onChange?.(typeof id === 'string' ? id : undefined);
    return value;
  };
  const app = new Hono<Env>();
  app.onError((error, c) => {
    if (isAppError(error))
      return c.json(
        { error: { code: error.code, message: error.message, fix: error.fix ?? null } },
        httpStatusFor(error.code),
      );
    options.log?.(`internal error on ${c.req.method} ${c.req.path}: ${messageOf(error)}`);
    return c.json(
      { error: { code: 'internal', message: 'internal error; the server log has the cause', fix: null } },
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'not-found',
          message: `no route ${c.req.method} ${c.req.path}`,
          fix: 'See /openapi.json',
        },
      },
      404,
    ),
  );
  app.get('/healthz', (c) => c.json({ ok: true, ...(options.health?.() ?? {}) }));
  app.get('/openapi.json', (c) => c.json(openApiDocument));
  // Refused before anything reads it, authenticated or not.
  app.use('/v1/*', bodyLimit({ maxSize: maxBodyBytes, onError: bodyTooLarge }));
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    c.set('principal', await authenticate(store, token));
    await next();
  });
  app.get('/v1/whoami', (c) => {
    const principal = c.get('principal');
    return c.json({ user: principal.subject, groups: principal.groups, admin: hasRole(principal, 'admin') });
  });
  app.get('/v1/flows', async (c) => c.json({ items: await listFlows(store) }));
  app.put('/v1/flows', async (c) => {
    const principal = c.get('principal');
    // Refused before the body is parsed: a non-admin learns nothing from validation errors.
    requireRole(principal, 'admin', 'change access flows');
    const flows = parseFlowFile(await c.req.text(), 'request body');
    return c.json(changed(await applyFlows(store, principal, flows)));
  });
  registerRequestRoutes(app, options, changed);
  // The audit log names every user, cluster and reason: for admins and auditors (`/*` covers /v1/audit too).
  app.use('/v1/audit/*', async (c, next) => {
    requireRole(c.get('principal'), 'auditor', 'read the audit log');
    await next();
  });
  app.get('/v1/audit', async (c) => {
    const after = Number(c.req.query('after') ?? '0');
    const limit = Math.min(Number(c.req.query('limit') ?? '500'), 5000);
    if (!Number.isInteger(after) || !Number.isInteger(limit) || limit < 1)
      throw new AppError('input.invalid', 'after and limit must be whole numbers', {
        fix: '?after=0&limit=500',
      });
    return c.json({ items: await listAudit(store, { afterSeq: after, limit }) });
  });
  app.get('/v1/audit/verify', async (c) => c.json(await verifyAudit(store)));
  return app;
}
