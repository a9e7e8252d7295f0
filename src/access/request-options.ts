import { describeError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { LabelSelector } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { listFlows } from './flow-store.js';
import {
  type AccessFlow,
  type AccessMode,
  type FlowRole,
  matches,
  minimumCredentialGrantSeconds,
  principalArnFor,
} from './flows.js';
import { requestFieldLimits } from './request-rules.js';

/** The namespaces a flow offers, as a form shows them. */
export interface NamespaceChoice {
  /** Namespaces named exactly. */
  readonly names: readonly string[];
  /** Any namespace starting with one of these (from `team-*` in the flow). */
  readonly prefixes: readonly string[];
  /** Namespaces whose labels match: only the cluster can tell which, when the request is made. */
  readonly selector: LabelSelector | undefined;
}

/** One role of a flow; `namespaceRequired` for RoleBindings, never for a cluster-wide grant. */
export interface RoleOption {
  readonly kind: FlowRole['kind'];
  readonly name: string;
  readonly scope: FlowRole['scope'];
  readonly namespaceRequired: boolean;
}

/** What one flow lets this principal ask for, in the order a form asks: clusters, namespaces, roles, durations. */
export interface FlowOption {
  readonly flow: string;
  readonly mode: AccessMode;
  /** May request through the flow normally (a requester), as opposed to break-glass only. */
  readonly requestable: boolean;
  /** May self-activate without approval (break-glass): audited and announced. */
  readonly breakGlass: boolean;
  /** `any`: every cluster Gatehouse reaches (the flow says `*`); `listed`: only `names`. */
  readonly clusters:
    | { readonly kind: 'any' }
    | { readonly kind: 'listed'; readonly names: readonly string[] };
  readonly namespaces: NamespaceChoice;
  readonly roles: readonly RoleOption[];
  readonly durations: {
    readonly minimumSeconds: number;
    readonly maximumSeconds: number;
    /** Round choices up to the maximum, the maximum included, shortest first. */
    readonly suggestedSeconds: readonly number[];
  };
  readonly reason: {
    readonly required: boolean;
    readonly minimumLength: number;
    readonly maximumLength: number;
  };
  /** `automatic`: the requester's groups are auto-approved; else how many approvers must approve. */
  readonly approval: { readonly kind: 'automatic' } | { readonly kind: 'review'; readonly required: number };
  /** EKS modes: the IAM principal the grant goes to (from the flow's template and the user name). */
  readonly principalArn: string | undefined;
}

/** The flows this principal may use, and those it matches but cannot use, with why. */
export interface RequestOptions {
  readonly flows: readonly FlowOption[];
  /** A flow that names the principal but cannot serve them (e.g. a user name IAM refuses). */
  readonly problems: readonly { readonly flow: string; readonly message: string }[];
}

const roundDurations = [900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 604_800];

/**
 * What a principal may request, read from the stored flows, shaped for a form. Flows that do not
 * name the principal (as requester or break-glass user) are left out entirely: nobody learns the
 * shape of flows they cannot use.
 *
 * @example
 * const { flows } = await requestOptions(store, principal);
 * flows.map((option) => option.flow); // ['dev-edit', 'prod-view']
 */
export async function requestOptions(store: Store, principal: Principal): Promise<RequestOptions> {
  return requestOptionsOf(await listFlows(store), principal);
}

/** {@link requestOptions} on flows already read: pure. */
export function requestOptionsOf(flows: readonly AccessFlow[], principal: Principal): RequestOptions {
  const options: FlowOption[] = [];
  const problems: { flow: string; message: string }[] = [];
  for (const flow of flows) {
    const requestable = matches(flow.requesters, principal.subject, principal.groups);
    const breakGlass = matches(flow.breakGlass, principal.subject, principal.groups);
    if (!requestable && !breakGlass) continue;
    try {
      options.push(flowOption(flow, principal, { requestable, breakGlass }));
    } catch (error) {
      problems.push({ flow: flow.name, message: describeError(error) });
    }
  }
  return { flows: options, problems };
}

function flowOption(
  flow: AccessFlow,
  principal: Principal,
  access: { requestable: boolean; breakGlass: boolean },
): FlowOption {
  const minimumSeconds = flow.mode === 'credential' ? minimumCredentialGrantSeconds : 60;
  const maximumSeconds = flow.maxDurationSeconds;
  const suggested = roundDurations.filter((seconds) => seconds >= minimumSeconds && seconds < maximumSeconds);
  return {
    flow: flow.name,
    mode: flow.mode,
    ...access,
    clusters: flow.clusters.includes('*') ? { kind: 'any' } : { kind: 'listed', names: [...flow.clusters] },
    namespaces: {
      names: flow.namespaces.filter((pattern) => !pattern.endsWith('*')),
      prefixes: flow.namespaces
        .filter((pattern) => pattern.endsWith('*'))
        .map((pattern) => pattern.slice(0, -1)),
      selector: flow.namespaceSelector,
    },
    roles: flow.roles.map((role) => ({ ...role, namespaceRequired: role.scope === 'namespace' })),
    durations: {
      minimumSeconds: Math.min(minimumSeconds, maximumSeconds),
      maximumSeconds,
      suggestedSeconds: maximumSeconds >= minimumSeconds ? [...suggested, maximumSeconds] : [],
    },
    reason: {
      required: flow.justificationRequired,
      minimumLength: flow.justificationRequired ? 5 : 0,
      maximumLength: requestFieldLimits.reason,
    },
    approval: matches(flow.autoApprove, principal.subject, principal.groups)
      ? { kind: 'automatic' }
      : { kind: 'review', required: flow.approvers.required },
    principalArn: principalArnFor(flow, principal.subject),
  };
}

/**
 * How a namespace typed into the form stands against a flow's choice: `allowed` by name or prefix,
 * `cluster-checks-labels` when only the flow's label selector could admit it (Gatehouse reads its
 * labels from the cluster when the request is made), `refused` otherwise.
 */
export function namespaceStanding(
  choice: NamespaceChoice,
  namespace: string,
): 'allowed' | 'cluster-checks-labels' | 'refused' {
  if (!namespacePattern.test(namespace)) return 'refused';
  if (choice.names.includes(namespace) || choice.prefixes.some((prefix) => namespace.startsWith(prefix)))
    return 'allowed';
  return choice.selector ? 'cluster-checks-labels' : 'refused';
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The clusters to offer for a flow: those it lists, or, when it covers any cluster, the ones
 * Gatehouse knows (`clusters list`), in the order given.
 */
export function clusterChoices(option: Pick<FlowOption, 'clusters'>, known: readonly string[]): string[] {
  const clusters = option.clusters;
  switch (clusters.kind) {
    case 'any':
      return [...known];
    case 'listed':
      return [...clusters.names];
    default: {
      const unknown: never = clusters;
      return unknown;
    }
  }
}

/**
 * A duration as the shortest text `parseDuration` reads back to the same seconds (`90m`, `4h`,
 * `1d`), for form values and labels.
 */
export function durationText(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
