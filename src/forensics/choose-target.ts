import { AppError } from '../errors.js';
import type { AcquireOptions } from './acquire.js';
import { hasShell } from './debug-container.js';
import { listTargets, type MethodName, type Target } from './targets.js';

/** The running container to acquire, or an error that says how to find the right one. */
export async function findTarget(options: AcquireOptions): Promise<Target> {
  const targets = (await listTargets(options.client, { namespace: options.namespace })).filter(
    (target) => target.pod === options.pod,
  );
  if (targets.length === 0) {
    throw new AppError('not-found', `pod ${options.namespace}/${options.pod} not found`, {
      fix: 'List targets with `gatehouse targets -n NAMESPACE`',
    });
  }
  const target = options.container
    ? targets.find((candidate) => candidate.container === options.container)
    : targets[0];
  if (!target) {
    throw new AppError(
      'not-found',
      `pod ${options.namespace}/${options.pod} has no container "${options.container}"`,
      {
        fix: `Use -c with one of: ${targets.map((candidate) => candidate.container).join(', ')}`,
      },
    );
  }
  if (target.state !== 'running') {
    throw new AppError(
      'conflict',
      `container ${target.container} of ${target.namespace}/${target.pod} is not running (${target.state})`,
      {
        fix: 'Volatile state can only be acquired from a running container; collect its logs with `kubectl logs --previous`',
      },
    );
  }
  return target;
}

function resolveMethod(requested: MethodName | 'auto', target: Target): MethodName {
  if (requested !== 'auto') return requested;
  return target.methods[0] ?? 'exec';
}

/** auto: an image that looks ordinary may still have no shell; a probe decides before anything is written. */
export async function chooseMethod(options: AcquireOptions, target: Target): Promise<MethodName> {
  const method = resolveMethod(options.method, target);
  if (
    options.method === 'auto' &&
    method === 'exec' &&
    target.methods.includes('ephemeral') &&
    !(await hasShell(options.client, target))
  ) {
    return 'ephemeral';
  }
  return method;
}
