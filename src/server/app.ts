import { type Context, Hono, type Next } from 'hono';
import {
  type AccessRequest,
  checkRequestCluster,
  createRequest,
  decide,
  extend,
  getFlow,
  getRequest,
  issueCredential,
  listFlows,
  listRequests,
  matches,
  namespaceLabelsFor,
  parseDuration,
  parseFlowFile,
  parseRequestState,
  parseRoleReference,
  revoke,
  saveFlows,
} from '../access/index.js';
import { appendAudit, listAudit, verifyAudit } from '../audit/index.js';
import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError, isAppError, messageOf } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { httpStatusFor } from './errors.js';
import { openApiDocument } from './openapi.js';
import { authenticate, type TokenCaller } from './tokens.js';

export interface AppOptions {
  readonly store: Store;
  /** Gatehouse's own client for a cluster name; throws `context.unknown` for clusters it does not know. */
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  /** The EKS access entries port of a cluster (access-entry flows); as the reconciler gets it. */
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  /** Called after every change, so the reconciler acts at once instead of at its next tick. */
  readonly onChange?: () => void;
  /** What /healthz reports beside ok. */
  readonly health?: () => Record<string, unknown>;
  /** Unexpected errors go here (one line each); the HTTP answer never carries internals. */
  readonly log?: (line: string) => void;
}

type Env = { Variables: { caller: TokenCaller } };

async function jsonBody(request: { json(): Promise<unknown> }): Promise<Record<string, unknown>> {
  try {
    const body = await request.json();
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // Reported below, like a body of the wrong shape.
  }
  throw new AppError('input.invalid', 'the request body must be a JSON object', {
    fix: 'Send Content-Type: application/json with an object body',
  });
}

function text(body: Record<string, unknown>, field: string, required = true): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new AppError('input.invalid', `field ${field} must be a non-empty string`, {
      fix: `Set "${field}"`,
    });
  return value;
}

/**
 * The HTTP API: flows, requests, credentials and audit, for callers holding an API token. Every
 * identity comes from the token; every change is audited by the capability it calls.
 */
export function createApp(options: AppOptions): Hono<Env> {
  const { store } = options;
  const changed = <T>(value: T): T => {
    options.onChange?.();
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
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    c.set('caller', await authenticate(store, token));
    await next();
  });
  app.get('/v1/whoami', (c) => {
    const { user, groups, admin } = c.get('caller');
    return c.json({ user, groups, admin });
  });
  app.get('/v1/flows', async (c) => c.json({ items: await listFlows(store) }));
  app.put('/v1/flows', async (c) => {
    const caller = c.get('caller');
    if (!caller.admin)
      throw new AppError('auth.forbidden', `${caller.user} may not change access flows`, {
        fix: 'Use a token created with --admin',
      });
    const flows = parseFlowFile(await c.req.text(), 'request body');
    await saveFlows(store, flows, caller.user);
    for (const flow of flows)
      await appendAudit(store, {
        actor: caller.user,
        action: 'access.flow-apply',
        target: flow.name,
        outcome: 'succeeded',
        details: { flow, via: 'api' },
      });
    return c.json({ applied: flows.map((flow) => flow.name) });
  });
  registerRequestRoutes(app, options, changed);
  // The audit log names every user, cluster and reason: for admin tokens only (`/*` covers /v1/audit too).
  app.use('/v1/audit/*', adminOnly('read the audit log'));
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

function adminOnly(doing: string) {
  return async (c: Context<Env>, next: Next) => {
    const caller = c.get('caller');
    if (!caller.admin)
      throw new AppError('auth.forbidden', `${caller.user} may not ${doing}`, {
        fix: 'Use a token created with gatehouse tokens create --admin',
      });
    await next();
  };
}

/** Who may see a request: admin tokens, its requester, and the approvers of its flow. */
async function visibleTo(store: Store, caller: TokenCaller): Promise<(request: AccessRequest) => boolean> {
  if (caller.admin) return () => true;
  const flows = new Map((await listFlows(store)).map((flow) => [flow.name, flow]));
  return (request) => {
    const flow = flows.get(request.flow);
    return (
      request.requester === caller.user ||
      (flow !== undefined && matches(flow.approvers, caller.user, caller.groups))
    );
  };
}

function registerRequestRoutes(app: Hono<Env>, options: AppOptions, changed: <T>(value: T) => T): void {
  const { store } = options;
  const one = (request: AccessRequest) => ({ request });
  app.get('/v1/requests', async (c) => {
    const state = parseRequestState(c.req.query('state'));
    const visible = await visibleTo(store, c.get('caller'));
    return c.json({ items: (await listRequests(store, state)).filter(visible) });
  });
  app.post('/v1/requests', async (c) => {
    const body = await jsonBody(c.req);
    const flow = await getFlow(store, text(body, 'flow')!);
    const cluster = text(body, 'cluster')!;
    const namespace = text(body, 'namespace', false);
    const request = await createRequest(store, c.get('caller'), {
      flow,
      cluster,
      role: parseRoleReference(text(body, 'role')!),
      namespace,
      durationSeconds: parseDuration(text(body, 'duration')!, 'duration'),
      reason: typeof body.reason === 'string' ? body.reason : '',
      breakGlass: body.breakGlass === true,
      namespaceLabels: await namespaceLabelsFor(() => options.clientFor(cluster), flow, namespace),
      checkCluster: (mode) => checkRequestCluster(options, cluster, mode),
    });
    return c.json(changed(one(request)), 201);
  });
  app.get('/v1/requests/:id', async (c) => {
    const request = await getRequest(store, c.req.param('id'));
    // Someone else's request reads as absent: its existence is not theirs to learn.
    if (!(await visibleTo(store, c.get('caller')))(request))
      throw new AppError('not-found', `no access request ${c.req.param('id')}`, {
        fix: 'List the requests you can see with `gatehouse access list`',
      });
    return c.json(one(request));
  });
  for (const verb of ['approve', 'deny'] as const)
    app.post(`/v1/requests/:id/${verb}`, async (c) =>
      c.json(changed(one(await decide(store, c.req.param('id'), c.get('caller'), verb)))),
    );
  app.post('/v1/requests/:id/revoke', async (c) =>
    c.json(changed(one(await revoke(store, c.req.param('id'), c.get('caller'))))),
  );
  app.post('/v1/requests/:id/extend', async (c) => {
    const seconds = parseDuration(text(await jsonBody(c.req), 'duration')!, 'duration');
    return c.json(changed(one(await extend(store, c.req.param('id'), c.get('caller'), seconds))));
  });
  app.post('/v1/requests/:id/credential', async (c) => {
    const request = await getRequest(store, c.req.param('id'));
    const issued = await issueCredential(
      store,
      await options.clientFor(request.cluster),
      request.id,
      c.get('caller'),
    );
    c.header('cache-control', 'no-store');
    return c.json(issued);
  });
}
