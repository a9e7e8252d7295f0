import { AppError } from '../errors.js';
import { canI, type KubeClient, type ResourceAttributes } from '../kube/index.js';
import type { MethodName } from './targets.js';

export interface Permission extends ResourceAttributes {
  /** Why the method needs it. */
  readonly why: string;
  /** Missing it degrades the acquisition instead of stopping it. */
  readonly optional?: boolean;
}

/** What each acquisition method needs, as SelfSubjectAccessReview attributes. */
export function requiredPermissions(method: MethodName, namespace: string): Permission[] {
  const base: Permission[] = [
    { verb: 'get', resource: 'pods', namespace, why: 'read the pod' },
    { verb: 'list', resource: 'pods', namespace, why: 'find targets' },
    { verb: 'get', resource: 'pods', subresource: 'log', namespace, why: 'container logs', optional: true },
    { verb: 'list', resource: 'events', namespace, why: 'pod events', optional: true },
  ];
  const methodPermissions: Permission[] =
    method === 'exec'
      ? [
          {
            verb: 'create',
            resource: 'pods',
            subresource: 'exec',
            namespace,
            why: 'run the collector in the container',
          },
        ]
      : [
          {
            verb: 'patch',
            resource: 'pods',
            subresource: 'ephemeralcontainers',
            namespace,
            why: 'add the debug container',
          },
          {
            verb: 'create',
            resource: 'pods',
            subresource: 'exec',
            namespace,
            why: 'run the collector in the debug container',
          },
        ];
  return [...base, ...methodPermissions];
}

export interface PreflightResult {
  readonly missing: readonly Permission[];
  readonly degraded: readonly Permission[];
}

/** Asks the API server, before touching anything, whether the caller holds what a method needs. */
export async function preflight(
  client: KubeClient,
  method: MethodName,
  namespace: string,
): Promise<PreflightResult> {
  const needed = requiredPermissions(method, namespace);
  const answers = await Promise.all(needed.map((permission) => canI(client, permission)));
  const denied = needed.filter((_, index) => !answers[index]!.allowed);
  return {
    missing: denied.filter((permission) => !permission.optional),
    degraded: denied.filter((permission) => permission.optional),
  };
}

export function describePermission(permission: ResourceAttributes): string {
  const resource = permission.subresource
    ? `${permission.resource}/${permission.subresource}`
    : permission.resource;
  return `${permission.verb} ${resource}${permission.namespace ? ` in namespace ${permission.namespace}` : ''}`;
}

/** Stops with the exact missing permissions and how to grant them. */
export function assertPreflight(result: PreflightResult, method: MethodName): void {
  if (result.missing.length === 0) return;
  const list = result.missing
    .map((permission) => `${describePermission(permission)} (${permission.why})`)
    .join('; ');
  throw new AppError('auth.forbidden', `the ${method} method needs permissions you do not have: ${list}`, {
    fix: 'Grant them with the role printed by `gatehouse setup rbac forensics` (bind it in the target namespace or cluster-wide)',
    details: { method, missing: result.missing.map(describePermission).join(', ') },
  });
}
