import { type Context, Hono } from 'hono';
import {
  type AccessRequest,
  applyFlows,
  checkRequestCluster,
  createRequest,
  decide,
  extend,
  getFlow,
  getVisibleRequest,
  issueCredential,
  listFlows,
  listVisibleRequests,
  namespaceLabelsFor,
  parseDuration,
  parseFlowFile,
  parseRoleReference,
  revoke,
} from '../../access/index.js';
import { AppError, describeError } from '../../errors.js';
import { hasRole, type Principal, requireRole } from '../../identity/index.js';
import type { AppOptions } from '../app.js';
import { type RouteDescription, routerPath, routes } from '../contract/index.js';
import type { Changed, ServerEnv } from '../env.js';
import { bodyOf, paramsOf, queryOf, reply } from '../validate.js';

/**
 * Runs a step that touches a cluster for a request. Admins see what went wrong; anyone else gets
 * one generic answer (the cause goes to the server log), so a token cannot list the server's
 * kubeconfig contexts or probe its clusters through error messages.
 */
export function onCluster(options: AppOptions, principal: Principal, cluster: string) {
  return async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (hasRole(principal, 'admin')) throw error;
      options.log?.(`request by ${principal.subject} on cluster ${cluster}: ${describeError(error)}`);
      throw new AppError('input.invalid', `Gatehouse cannot grant access on cluster ${cluster}`, {
        fix: 'Check the cluster name with a Gatehouse administrator (gatehouse clusters list); the server log has the cause',
      });
    }
  };
}

const path = (route: RouteDescription) => routerPath(route, '/v1');
const one = (request: AccessRequest) => ({ request });

/** Flows, and asking for access under them. */
function flowAndRequestRoutes(app: Hono<ServerEnv>, options: AppOptions, changed: Changed): void {
  const { store } = options;
  app.get(path(routes.listFlows), async (c) =>
    reply(c, routes.listFlows, 200, { items: await listFlows(store) }),
  );
  app.put(path(routes.applyFlows), async (c) => {
    const principal = c.get('principal');
    // Refused before the body is parsed: a non-admin learns nothing from validation errors.
    requireRole(principal, 'admin', 'change access flows');
    const flows = parseFlowFile(await bodyOf(c, routes.applyFlows), 'request body');
    return reply(c, routes.applyFlows, 200, changed(await applyFlows(store, principal, flows)));
  });
  app.get(path(routes.listRequests), async (c) => {
    const { state } = queryOf(c, routes.listRequests);
    const items = await listVisibleRequests(store, c.get('principal'), state);
    return reply(c, routes.listRequests, 200, { items });
  });
  app.post(path(routes.createRequest), async (c) => {
    const principal = c.get('principal');
    const body = await bodyOf(c, routes.createRequest);
    const guarded = onCluster(options, principal, body.cluster);
    // createRequest checks the principal and the flow first, and only then calls these two.
    const request = await createRequest(store, principal, {
      cluster: body.cluster,
      namespace: body.namespace,
      role: parseRoleReference(body.role),
      durationSeconds: parseDuration(body.duration, 'duration'),
      reason: body.reason ?? '',
      breakGlass: body.breakGlass === true,
      flow: await getFlow(store, body.flow),
      namespaceLabels: (namespace) =>
        guarded(() => namespaceLabelsFor(() => options.clientFor(body.cluster))(namespace)),
      checkCluster: (mode) => guarded(() => checkRequestCluster(options, body.cluster, mode)),
    });
    return reply(c, routes.createRequest, 201, changed(one(request)));
  });
}

/** Whether the caller sent a body at all (a length, or a chunked upload). */
function hasBody(c: Context<ServerEnv>): boolean {
  const length = c.req.header('content-length');
  return (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
}

/** One request: reading it, deciding it, ending or extending it, and its credential. */
function oneRequestRoutes(app: Hono<ServerEnv>, options: AppOptions, changed: Changed): void {
  const { store } = options;
  /** The request named in the path, if the caller may see it (404 otherwise, as if it did not exist). */
  const visible = (c: Context<ServerEnv>, id: string) => getVisibleRequest(store, c.get('principal'), id);
  app.get(path(routes.getRequest), async (c) =>
    reply(c, routes.getRequest, 200, one(await visible(c, paramsOf(c, routes.getRequest).id))),
  );
  for (const [route, verb] of [
    [routes.approveRequest, 'approve'],
    [routes.denyRequest, 'deny'],
  ] as const)
    app.post(path(route), async (c) => {
      const request = await visible(c, paramsOf(c, route).id);
      // The body is optional: a bare POST (curl, older clients) decides without a reason.
      const reason = hasBody(c) ? (await bodyOf(c, route)).reason : undefined;
      const decided = await decide(store, request.id, c.get('principal'), verb, { reason });
      return reply(c, route, 200, changed(one(decided)));
    });
  app.post(path(routes.revokeRequest), async (c) => {
    const request = await visible(c, paramsOf(c, routes.revokeRequest).id);
    return reply(
      c,
      routes.revokeRequest,
      200,
      changed(one(await revoke(store, request.id, c.get('principal')))),
    );
  });
  app.post(path(routes.extendRequest), async (c) => {
    const request = await visible(c, paramsOf(c, routes.extendRequest).id);
    const seconds = parseDuration((await bodyOf(c, routes.extendRequest)).duration, 'duration');
    const extended = await extend(store, request.id, c.get('principal'), seconds);
    return reply(c, routes.extendRequest, 200, changed(one(extended)));
  });
  app.post(path(routes.issueCredential), async (c) => {
    const request = await visible(c, paramsOf(c, routes.issueCredential).id);
    const client = () => options.clientFor(request.cluster);
    const issued = await issueCredential(store, client, request.id, c.get('principal'));
    c.header('cache-control', 'no-store');
    return reply(c, routes.issueCredential, 200, issued);
  });
}

/**
 * The access capability over HTTP, mounted at /v1: flows, requests, decisions, credentials. Who
 * may see or change what is decided by the capability; these routes read and answer.
 */
export function accessRoutes(options: AppOptions, changed: Changed): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  flowAndRequestRoutes(app, options, changed);
  oneRequestRoutes(app, options, changed);
  return app;
}
