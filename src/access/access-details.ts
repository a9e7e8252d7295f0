import { awsSteps } from './access-details-aws.js';
import type { AccessMode } from './flows.js';
import type { AccessRequest, RequestState } from './requests.js';
import { shellWord } from './shell-word.js';

/**
 * One thing the requester does to use a grant. The console and the CLI render the same list:
 * `download-credential` is a button in the console and `command` in a terminal.
 */
export type AccessStep =
  | { readonly kind: 'download-credential'; readonly text: string; readonly command: string }
  | { readonly kind: 'commands'; readonly text: string; readonly commands: readonly string[] }
  | { readonly kind: 'file'; readonly text: string; readonly path: string; readonly content: string }
  | { readonly kind: 'note'; readonly text: string };

/** How to use a grant, or why there is nothing to use yet. */
export type AccessDetails =
  | {
      readonly status: 'ready';
      readonly requestId: string;
      readonly mode: AccessMode;
      readonly cluster: string;
      readonly namespace: string | undefined;
      /** `ClusterRole/edit in namespace payments`, `ClusterRole/view cluster-wide`. */
      readonly access: string;
      readonly expiresAt: string;
      readonly steps: readonly AccessStep[];
    }
  | {
      readonly status: 'not-active';
      readonly requestId: string;
      readonly state: RequestState;
      readonly message: string;
    };

/**
 * How the requester uses an active grant, by its mode: the credential to download, the AWS lines
 * that assume their IAM principal and write a kubeconfig, or what their own identity now allows.
 * Pure (given `now`): every value comes from the request (which holds the mode, principal and credential it was
 * granted with); no secret is ever part of it.
 *
 * @example
 * const details = accessDetails(request);
 * if (details.status === 'ready') for (const step of details.steps) console.log(step.text);
 */
/** What accessDetails reads of a request: a stored one, or the API's view of one (absent fields left out). */
export type DetailsSource = Pick<AccessRequest, 'id' | 'state' | 'mode' | 'cluster' | 'role' | 'requester'> &
  Partial<Pick<AccessRequest, 'namespace' | 'expiresAt' | 'credential' | 'principalArn'>>;

export function accessDetails(request: DetailsSource, options: { readonly now?: Date } = {}): AccessDetails {
  const now = options.now ?? new Date();
  if (request.state !== 'active' || !request.expiresAt)
    return {
      status: 'not-active',
      requestId: request.id,
      state: request.state,
      message: notActive(request.state),
    };
  // Past its expiry but not yet ended by the reconciler: nothing to use any more.
  if (Date.parse(request.expiresAt) <= now.getTime())
    return {
      status: 'not-active',
      requestId: request.id,
      state: request.state,
      message: `The grant ended at ${request.expiresAt}; Gatehouse is removing the access.`,
    };
  return {
    status: 'ready',
    requestId: request.id,
    mode: request.mode,
    cluster: request.cluster,
    namespace: request.namespace,
    access: accessText(request),
    expiresAt: request.expiresAt,
    steps: stepsFor(request),
  };
}

function stepsFor(request: DetailsSource): AccessStep[] {
  const mode = request.mode;
  switch (mode) {
    case 'binding':
      return bindingSteps(request);
    case 'credential':
      return credentialSteps(request);
    case 'aws-auth':
    case 'access-entry':
      return awsSteps(request, canIList(request));
    default: {
      const unknown: never = mode;
      return unknown;
    }
  }
}

function bindingSteps(request: DetailsSource): AccessStep[] {
  return [
    {
      kind: 'note',
      text: `Your own credentials for cluster ${request.cluster} now hold ${accessText(request)}, as the cluster user ${request.requester}, until ${request.expiresAt}. Use your usual kubeconfig for that cluster.`,
    },
    {
      kind: 'commands',
      text: 'Check who the cluster takes you for and what you may now do:',
      commands: ['kubectl auth whoami', canIList(request)],
    },
  ];
}

function credentialSteps(request: DetailsSource): AccessStep[] {
  const file = `gatehouse-${request.id.slice(0, 8)}.kubeconfig`;
  return [
    {
      kind: 'download-credential',
      text: `Download a kubeconfig for ${request.cluster}. Its token is refused by the cluster once the grant ends (${request.expiresAt}), even if Gatehouse is down; download it again after an extension.`,
      command: `gatehouse access credential ${shellWord(request.id)} --out ${shellWord(file)}`,
    },
    {
      kind: 'commands',
      text: `Use it (it acts as ServiceAccount ${request.credential ? `${request.credential.namespace}/${request.credential.name}` : 'of this request'}):`,
      commands: [canIList(request, `kubectl --kubeconfig ${shellWord(file)}`)],
    },
  ];
}

/** `kubectl auth can-i --list`, in the granted namespace when the grant has one. */
export function canIList(request: Pick<DetailsSource, 'namespace'>, kubectl = 'kubectl'): string {
  return `${kubectl} auth can-i --list${request.namespace ? ` -n ${shellWord(request.namespace)}` : ''}`;
}

function accessText(request: Pick<DetailsSource, 'role' | 'namespace'>): string {
  const where = request.namespace ? `in namespace ${request.namespace}` : 'cluster-wide';
  return `${request.role.kind}/${request.role.name} ${where}`;
}

function notActive(state: RequestState): string {
  switch (state) {
    case 'pending':
      return 'The request waits for approval; how to use it shows here once it is active.';
    case 'approved':
      return 'Approved: the access is being put in place (within seconds while gatehouse serve runs).';
    case 'active':
      return 'Active, but without an expiry: ask an administrator to check the request.';
    case 'expired':
    case 'revoked':
    case 'denied':
    case 'cancelled':
    case 'pending-expired':
    case 'failed':
    case 'refused':
      return `The request is ${state}: there is no access to use. Make a new request if you still need it.`;
    default: {
      const unknown: never = state;
      return unknown;
    }
  }
}
