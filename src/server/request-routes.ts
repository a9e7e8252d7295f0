import type { Hono } from 'hono';
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
  parseRequestState,
  parseRoleReference,
  requestFieldLimits,
  revoke,
} from '../access/index.js';
import { AppError, describeError, isAppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { AppOptions } from './app.js';
import { jsonBody, text } from './body.js';
import type { TokenCaller } from './tokens.js';

type Env = { Variables: { caller: TokenCaller } };

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

/**
 * The request with this full id if the caller may see it. Someone else's request reads as absent,
 * with the same answer as an id that does not exist: its existence is not theirs to learn. Every
 * route on one request goes through here before it acts.
 */
async function visibleRequest(store: Store, caller: TokenCaller, id: string): Promise<AccessRequest> {
  const absent = new AppError('not-found', `no access request ${id.slice(0, 64)}`, {
    fix: 'List the requests you can see with `gatehouse access list`',
  });
  const request = await getRequest(store, id).catch((error: unknown) => {
    throw isAppError(error) && error.code === 'not-found' ? absent : error;
  });
  if (!(await visibleTo(store, caller))(request)) throw absent;
  return request;
}

/**
 * Runs a step that touches a cluster for a request. Admins see what went wrong; anyone else gets
 * one generic answer (the cause goes to the server log), so a token cannot list the server's
 * kubeconfig contexts or probe its clusters through error messages.
 */
function onCluster(options: AppOptions, caller: TokenCaller, cluster: string) {
  return async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (caller.admin) throw error;
      options.log?.(`request by ${caller.user} on cluster ${cluster}: ${describeError(error)}`);
      throw new AppError('input.invalid', `Gatehouse cannot grant access on cluster ${cluster}`, {
        fix: 'Check the cluster name with a Gatehouse administrator (gatehouse clusters list); the server log has the cause',
      });
    }
  };
}

/** Reads and checks the fields of a new request; nothing here touches a cluster. */
function requestFields(body: Record<string, unknown>) {
  return {
    flow: text(body, 'flow', { max: 63 })!,
    cluster: text(body, 'cluster', { max: requestFieldLimits.cluster })!,
    namespace: text(body, 'namespace', { max: 253, required: false }),
    role: parseRoleReference(text(body, 'role', { max: requestFieldLimits.roleName + 20 })!),
    durationSeconds: parseDuration(text(body, 'duration', { max: 32 })!, 'duration'),
    reason: text(body, 'reason', { max: requestFieldLimits.reason, required: false, empty: true }) ?? '',
    breakGlass: body.breakGlass === true,
  };
}

export function registerRequestRoutes(
  app: Hono<Env>,
  options: AppOptions,
  changed: <T>(value: T) => T,
): void {
  const { store } = options;
  const one = (request: AccessRequest) => ({ request });
  app.get('/v1/requests', async (c) => {
    const state = parseRequestState(c.req.query('state'));
    const visible = await visibleTo(store, c.get('caller'));
    return c.json({ items: (await listRequests(store, state)).filter(visible) });
  });
  app.post('/v1/requests', async (c) => {
    const caller = c.get('caller');
    const fields = requestFields(await jsonBody(c.req));
    const guarded = onCluster(options, caller, fields.cluster);
    // createRequest checks the caller and the flow first, and only then calls these two.
    const request = await createRequest(store, caller, {
      ...fields,
      flow: await getFlow(store, fields.flow),
      namespaceLabels: (namespace) =>
        guarded(() => namespaceLabelsFor(() => options.clientFor(fields.cluster))(namespace)),
      checkCluster: (mode) => guarded(() => checkRequestCluster(options, fields.cluster, mode)),
    });
    return c.json(changed(one(request)), 201);
  });
  app.get('/v1/requests/:id', async (c) =>
    c.json(one(await visibleRequest(store, c.get('caller'), c.req.param('id')))),
  );
  for (const verb of ['approve', 'deny'] as const)
    app.post(`/v1/requests/:id/${verb}`, async (c) => {
      const request = await visibleRequest(store, c.get('caller'), c.req.param('id'));
      return c.json(changed(one(await decide(store, request.id, c.get('caller'), verb))));
    });
  app.post('/v1/requests/:id/revoke', async (c) => {
    const request = await visibleRequest(store, c.get('caller'), c.req.param('id'));
    return c.json(changed(one(await revoke(store, request.id, c.get('caller')))));
  });
  app.post('/v1/requests/:id/extend', async (c) => {
    const request = await visibleRequest(store, c.get('caller'), c.req.param('id'));
    const seconds = parseDuration(text(await jsonBody(c.req), 'duration', { max: 32 })!, 'duration');
    return c.json(changed(one(await extend(store, request.id, c.get('caller'), seconds))));
  });
  app.post('/v1/requests/:id/credential', async (c) => {
    const request = await visibleRequest(store, c.get('caller'), c.req.param('id'));
    const issued = await issueCredential(
      store,
      () => options.clientFor(request.cluster),
      request.id,
      c.get('caller'),
    );
    c.header('cache-control', 'no-store');
    return c.json(issued);
  });
}
