import { Hono } from 'hono';
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
  parseRequestState,
  parseRoleReference,
  requestFieldLimits,
  revoke,
} from '../../access/index.js';
import { AppError, describeError } from '../../errors.js';
import { hasRole, type Principal, requireRole } from '../../identity/index.js';
import type { AppOptions } from '../app.js';
import { jsonBody, text } from '../body.js';
import type { Changed, ServerEnv } from '../env.js';

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

/**
 * The access capability over HTTP, mounted at /v1: flows, requests, decisions, credentials. Who
 * may see or change what is decided by the capability; these routes read and answer.
 */
export function accessRoutes(options: AppOptions, changed: Changed): Hono<ServerEnv> {
  const { store } = options;
  const app = new Hono<ServerEnv>();
  app.get('/flows', async (c) => c.json({ items: await listFlows(store) }));
  app.put('/flows', async (c) => {
    const principal = c.get('principal');
    // Refused before the body is parsed: a non-admin learns nothing from validation errors.
    requireRole(principal, 'admin', 'change access flows');
    const flows = parseFlowFile(await c.req.text(), 'request body');
    return c.json(changed(await applyFlows(store, principal, flows)));
  });
  const one = (request: AccessRequest) => ({ request });
  app.get('/requests', async (c) => {
    const state = parseRequestState(c.req.query('state'));
    return c.json({ items: await listVisibleRequests(store, c.get('principal'), state) });
  });
  app.post('/requests', async (c) => {
    const principal = c.get('principal');
    const fields = requestFields(await jsonBody(c.req));
    const guarded = onCluster(options, principal, fields.cluster);
    // createRequest checks the principal and the flow first, and only then calls these two.
    const request = await createRequest(store, principal, {
      ...fields,
      flow: await getFlow(store, fields.flow),
      namespaceLabels: (namespace) =>
        guarded(() => namespaceLabelsFor(() => options.clientFor(fields.cluster))(namespace)),
      checkCluster: (mode) => guarded(() => checkRequestCluster(options, fields.cluster, mode)),
    });
    return c.json(changed(one(request)), 201);
  });
  app.get('/requests/:id', async (c) =>
    c.json(one(await getVisibleRequest(store, c.get('principal'), c.req.param('id')))),
  );
  for (const verb of ['approve', 'deny'] as const)
    app.post(`/requests/:id/${verb}`, async (c) => {
      const request = await getVisibleRequest(store, c.get('principal'), c.req.param('id'));
      return c.json(changed(one(await decide(store, request.id, c.get('principal'), verb))));
    });
  app.post('/requests/:id/revoke', async (c) => {
    const request = await getVisibleRequest(store, c.get('principal'), c.req.param('id'));
    return c.json(changed(one(await revoke(store, request.id, c.get('principal')))));
  });
  app.post('/requests/:id/extend', async (c) => {
    const request = await getVisibleRequest(store, c.get('principal'), c.req.param('id'));
    const seconds = parseDuration(text(await jsonBody(c.req), 'duration', { max: 32 })!, 'duration');
    return c.json(changed(one(await extend(store, request.id, c.get('principal'), seconds))));
  });
  app.post('/requests/:id/credential', async (c) => {
    const request = await getVisibleRequest(store, c.get('principal'), c.req.param('id'));
    const issued = await issueCredential(
      store,
      () => options.clientFor(request.cluster),
      request.id,
      c.get('principal'),
    );
    c.header('cache-control', 'no-store');
    return c.json(issued);
  });
  return app;
}
