import { AppError } from '../errors.js';
import type { CallerFrame } from './protocol.js';

const segment = /^[A-Za-z0-9._:-]+$/;
const dnsName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Subresources that reach past the API server into the cluster's network or a live session. */
const refusedSegments = new Set(['proxy', 'portforward', 'attach', 'exec']);

/**
 * What an agent performs: calls on the Kubernetes API (`/api`, `/apis`, `/version`) and exec
 * by namespace, pod and container. It is not a general proxy: no other path, no `proxy` or
 * `portforward` subresource, no path tricks (`..`, percent-encoding, empty segments). Within
 * that, the agent's RBAC decides.
 */
export function admitKubernetesCall(
  call: Extract<CallerFrame, { type: 'request' | 'exec' }>,
): AppError | undefined {
  if (call.type === 'exec') {
    const { namespace, pod, container } = call.exec;
    const bad = [namespace, pod, container].find((name) => !dnsName.test(name));
    return bad === undefined
      ? undefined
      : refuse(`exec names "${bad.slice(0, 80)}", which is not a Kubernetes object name`);
  }
  const { path } = call.request;
  if (path === '/version') return undefined;
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || (segments[0] !== 'api' && segments[0] !== 'apis'))
    return refuse(`${path.slice(0, 200)} is not a Kubernetes API path`);
  const unsafe = segments.find(
    (part, index) =>
      !segment.test(part) || part === '..' || part === '.' || (index > 0 && refusedSegments.has(part)),
  );
  if (unsafe !== undefined)
    return refuse(
      `${path.slice(0, 200)} has the segment "${unsafe.slice(0, 40)}", which the agent does not pass on`,
    );
  return undefined;
}

function refuse(what: string): AppError {
  return new AppError('auth.forbidden', `the agent refused the call: ${what}`, {
    fix: 'The agent carries only Kubernetes API calls (/api, /apis, /version) and exec; use kubectl in the cluster for anything else',
  });
}
