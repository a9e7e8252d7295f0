import { AppError } from '../errors.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { CallerFrame } from './protocol.js';

/** POSTs that only ask the API server a question (who am I, may someone do something), changing nothing. */
const reviews = new Set([
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  '/apis/authorization.k8s.io/v1/subjectaccessreviews',
  '/apis/authentication.k8s.io/v1/selfsubjectreviews',
]);
const ephemeralContainers = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/ephemeralcontainers$/;

/**
 * What a principal may send through the relay to an agent. The agent's RBAC becomes the caller's,
 * so a responder gets what forensics needs (reads, exec, access reviews, ephemeral debug
 * containers) and nothing that changes access; admins get everything the agent may do. JIT
 * grants go through the server's flows, never through the relay.
 */
export function relayPolicy(
  principal: Principal,
): (call: Extract<CallerFrame, { type: 'request' | 'exec' }>) => AppError | undefined {
  if (hasRole(principal, 'admin')) return () => undefined;
  return (call) => {
    if (call.type === 'exec') return undefined;
    const method = call.request.method ?? 'GET';
    const { path } = call.request;
    if (method === 'GET') return undefined;
    if (method === 'POST' && reviews.has(path)) return undefined;
    if (method === 'PATCH' && ephemeralContainers.test(path)) return undefined;
    return new AppError(
      'auth.forbidden',
      `${principal.subject} may not ${method} ${path.slice(0, 200)} through an agent`,
      {
        fix: 'Responders may read, exec and add debug containers through an agent; changes to access go through access requests (or an admin)',
      },
    );
  };
}
