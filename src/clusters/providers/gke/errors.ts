import { AppError, isAppError, messageOf, withContext } from '../../../errors.js';
import { adcFix } from './auth.js';

/** What a failed GKE API call was doing, so the error can name the project and the permission. */
export interface GkeCall {
  /** `listing GKE clusters in project "acme-prod"`. */
  readonly doing: string;
  readonly project: string;
  /** The IAM permission the call needs, named when Google's answer does not name it. */
  readonly permission: string;
}

/** The fields google-gax puts on a failed REST call (google.rpc.Status plus ErrorInfo). */
interface GoogleFailure {
  readonly code?: number | string;
  readonly message?: string;
  readonly reason?: string;
  readonly errorInfoMetadata?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

// gRPC status codes, which google-gax uses for REST answers too.
const notFound = 5;
const permissionDenied = 7;
const unauthenticated = 16;
const deadlineExceeded = 4;
const unavailable = 14;
const networkCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

/** `Required "container.clusters.list" permission(s) for ...` or `Permission 'x.y.z' denied on ...`. */
export function deniedPermission(message: string): string | undefined {
  return (
    /Required "([a-z]+(?:\.[A-Za-z]+)+)" permission/.exec(message)?.[1] ??
    /Permission '([a-z]+(?:\.[A-Za-z]+)+)' denied/.exec(message)?.[1]
  );
}

/**
 * A failed GKE API call in the error vocabulary, with what to do about it: log in again, grant the
 * named permission, enable the API, check the project ID, or reach Google.
 */
export function gkeError(error: unknown, call: GkeCall): AppError {
  if (isAppError(error)) return withContext(error, call.doing);
  const failure = (error ?? {}) as GoogleFailure;
  const message = failure.message ?? messageOf(error);
  const details = { project: call.project, ...(failure.reason ? { reason: failure.reason } : {}) };
  const base = { cause: error, details };
  if (
    failure.reason === 'SERVICE_DISABLED' ||
    /API has not been used in project|API is not enabled/.test(message)
  )
    return new AppError('auth.forbidden', `${call.doing}: the Kubernetes Engine API is not enabled`, {
      ...base,
      fix: `Enable it with \`gcloud services enable container.googleapis.com --project ${call.project}\` (or check the project ID)`,
    });
  if (failure.code === unauthenticated)
    return new AppError('auth.unauthorized', `${call.doing}: Google did not accept the credentials`, {
      ...base,
      fix: adcFix,
    });
  // A project that does not exist answers 404, or 403 CONSUMER_INVALID when Google hides whether it exists.
  if (failure.code === notFound || failure.reason === 'CONSUMER_INVALID')
    return new AppError('not-found', `${call.doing}: ${message}`, {
      ...base,
      fix: `Check the project ID "${call.project}" (the ID, not the display name) with \`gcloud projects list\`, and the cluster name and location`,
    });
  if (failure.code === permissionDenied) {
    const permission = failure.errorInfoMetadata?.permission ?? deniedPermission(message) ?? call.permission;
    return new AppError('auth.forbidden', `${call.doing}: Google refused ${permission}`, {
      ...base,
      details: { ...details, permission },
      fix: grantFix(permission, call.project),
    });
  }
  const network = networkCode(error);
  if (network || failure.code === unavailable || failure.code === deadlineExceeded)
    return new AppError(
      failure.code === deadlineExceeded ? 'cluster.timeout' : 'cluster.unreachable',
      `${call.doing}: cannot reach the GKE API (${network ?? message})`,
      { ...base, fix: 'Check that this machine can reach container.googleapis.com (proxy, firewall, DNS)' },
    );
  return new AppError('internal', `${call.doing}: ${message}`, base);
}

// roles/container.clusterViewer holds every permission the provider's own calls need.
const viewerPermissions = new Set([
  'container.clusters.list',
  'container.clusters.get',
  'container.clusters.connect',
]);

function grantFix(permission: string, project: string): string {
  const role = viewerPermissions.has(permission)
    ? `roles/container.clusterViewer (it includes ${permission})`
    : `a role with ${permission}`;
  return `Grant ${role} on project ${project} to the account Gatehouse uses`;
}

/** Node's fetch hides the socket error code under `cause`. */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkCodes.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
