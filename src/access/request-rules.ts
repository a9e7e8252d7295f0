import { AppError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import {
  type AccessFlow,
  type FlowRole,
  matches,
  maximumDurationSeconds,
  minimumCredentialGrantSeconds,
  namespaceAllowed,
} from './flows.js';

/** What a caller asks for, before anything is read from a cluster. */
export interface RequestFields {
  readonly cluster: string;
  readonly role: { readonly kind: FlowRole['kind']; readonly name: string };
  readonly namespace: string | undefined;
  readonly durationSeconds: number;
  readonly reason: string;
  readonly breakGlass: boolean;
}

/**
 * Caps on free text a caller sends: every value is stored, audited and sent to chat, so none may
 * be large enough to fill the store or a message.
 */
export const requestFieldLimits = { reason: 2000, cluster: 253, roleName: 253 } as const;

/** A Kubernetes namespace name (RFC 1123 label): nothing else may reach a binding or a chat message. */
const namespacePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function denied(message: string, fix: string): AppError {
  return new AppError('auth.forbidden', message, { fix });
}

function tooLong(field: string, limit: number): AppError {
  return new AppError('input.invalid', `${field} is longer than ${limit} characters`, {
    fix: `Keep ${field} to ${limit} characters`,
  });
}

/** The caller's right to use the flow: checked before anything else, so strangers learn nothing. */
function checkRequester(flow: AccessFlow, principal: Principal, breakGlass: boolean): void {
  const { subject: user, groups } = principal;
  if (!matches(flow.requesters, user, groups) && !(breakGlass && matches(flow.breakGlass, user, groups)))
    throw denied(
      `${user} may not request access through flow ${flow.name}`,
      'Ask an owner of the flow to add you (requesters.users or requesters.groups)',
    );
  if (breakGlass && !matches(flow.breakGlass, user, groups))
    throw denied(
      `${user} may not use break-glass in flow ${flow.name}`,
      'Request normally, or ask for breakGlass membership',
    );
}

function checkSizes(input: RequestFields): void {
  if (input.reason.length > requestFieldLimits.reason) throw tooLong('reason', requestFieldLimits.reason);
  if (input.cluster.length > requestFieldLimits.cluster) throw tooLong('cluster', requestFieldLimits.cluster);
  if (input.role.name.length > requestFieldLimits.roleName)
    throw tooLong('role', requestFieldLimits.roleName);
}

/**
 * Every rule of the flow that needs no cluster: who may ask, which cluster, role, namespace name
 * and duration. Returns the flow's role. A namespace the flow admits only by its labels passes
 * here; the caller reads the labels (from the cluster) only after all of this held.
 */
export function checkAgainstFlow(flow: AccessFlow, principal: Principal, input: RequestFields): FlowRole {
  checkRequester(flow, principal, input.breakGlass);
  checkSizes(input);
  if (!flow.clusters.includes('*') && !flow.clusters.includes(input.cluster))
    throw new AppError('input.invalid', `flow ${flow.name} does not cover cluster ${input.cluster}`, {
      fix: `Clusters of this flow: ${flow.clusters.join(', ')}`,
    });
  const role = flow.roles.find(
    (candidate) => candidate.kind === input.role.kind && candidate.name === input.role.name,
  );
  if (!role)
    throw new AppError(
      'input.invalid',
      `flow ${flow.name} does not offer ${input.role.kind} ${input.role.name}`,
      {
        fix: `Roles of this flow: ${flow.roles.map((r) => `${r.kind}/${r.name}`).join(', ')}`,
      },
    );
  if (input.namespace !== undefined && !namespacePattern.test(input.namespace))
    throw new AppError('input.invalid', `"${input.namespace.slice(0, 80)}" is not a namespace name`, {
      fix: 'A namespace name is up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    });
  if (role.scope === 'namespace') {
    const possible = flow.namespaceSelector !== undefined || namespaceAllowed(flow, input.namespace ?? '');
    if (!input.namespace || !possible) throw namespaceRefused(flow, role, input.namespace);
  }
  if (role.scope === 'cluster' && input.namespace)
    throw new AppError(
      'input.invalid',
      `${role.kind} ${role.name} is granted cluster-wide in flow ${flow.name}`,
      {
        fix: 'Drop -n',
      },
    );
  checkDuration(flow, input);
  return role;
}

function checkDuration(flow: AccessFlow, input: RequestFields): void {
  const seconds = input.durationSeconds;
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > maximumDurationSeconds)
    throw new AppError('input.invalid', `a duration of ${seconds} s is out of range`, {
      fix: 'Give a duration from 1s to 366d',
    });
  if (input.durationSeconds > flow.maxDurationSeconds)
    throw new AppError(
      'input.invalid',
      `${input.durationSeconds / 60} min is longer than flow ${flow.name} allows (${flow.maxDurationSeconds / 60} min)`,
      { fix: 'Ask for less time, or extend later' },
    );
  if (flow.mode === 'credential' && input.durationSeconds < minimumCredentialGrantSeconds)
    throw new AppError(
      'input.invalid',
      `flow ${flow.name} hands out credentials, and the API server issues no token shorter than 10 minutes`,
      { fix: `Ask for ${Math.ceil(minimumCredentialGrantSeconds / 60)}m or more` },
    );
  if (flow.justificationRequired && input.reason.trim().length < 5)
    throw new AppError('input.invalid', `flow ${flow.name} requires a justification`, {
      fix: 'Add --reason "what you need to do and why" (5 characters at least)',
    });
}

/** The error for a namespace outside the flow (or missing); the same whether or not the namespace exists. */
export function namespaceRefused(flow: AccessFlow, role: FlowRole, namespace: string | undefined): AppError {
  const selector = flow.namespaceSelector
    ? ` and namespaces labelled ${JSON.stringify(flow.namespaceSelector)}`
    : '';
  return new AppError(
    'input.invalid',
    `${role.kind} ${role.name} is granted per namespace; ${namespace ? `namespace ${namespace} is not in flow ${flow.name}` : 'give -n NAMESPACE'}`,
    { fix: `Namespaces of this flow: ${flow.namespaces.join(', ') || '-'}${selector}` },
  );
}
