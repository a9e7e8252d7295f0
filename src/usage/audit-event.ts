import { canonicalizeArn } from '../rbac/index.js';
import {
  controlCharacters,
  list,
  Malformed,
  maxField,
  optionalText,
  record,
  text,
  timestamp,
} from './audit-fields.js';
import { cloudAuditOutcome } from './cloud-audit-log.js';

/**
 * What one request did, in the terms RBAC grants: the verb and the object (or non-resource URL).
 * Empty strings stand for "absent" (a list has no name, a cluster-scoped object no namespace), so
 * a permission compares and stores as plain text.
 */
export interface Permission {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  /** Set for non-resource requests (`/healthz`, `/api`); then the resource fields are empty. */
  readonly nonResourceUrl: string;
}

/** An authenticated identity as the apiserver saw it on one request. */
export interface AuditIdentity {
  readonly username: string;
  readonly groups: readonly string[];
  /** The canonical IAM ARN EKS put in `user.extra` (an assumed role becomes its role ARN). */
  readonly iamArn?: string;
}

/** One allowed request: who (after impersonation), what, when. */
export interface ApiUse {
  /** Milliseconds since the epoch, when the request was received. */
  readonly at: number;
  readonly identity: AuditIdentity;
  readonly permission: Permission;
  /** The caller that impersonated `identity`: it used `impersonate` on what it asserted. */
  readonly impersonator?: AuditIdentity;
}

/**
 * Why a well-formed event does not count as a use; `not-kubernetes`: a cloud log entry about
 * something other than a Kubernetes API request (GKE's own API).
 */
export type SkipReason = 'stage' | 'denied' | 'undecided' | 'not-kubernetes';

/** What one line of an audit log is, never an exception: the reader must survive any input. */
export type LineOutcome =
  | { readonly kind: 'use'; readonly use: ApiUse }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly at: number }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Reads one line of a Kubernetes API audit log: an `audit.k8s.io/v1` Event as JSON (as the
 * apiserver, EKS through CloudWatch and AKS diagnostic logs write it) or a GKE Cloud Logging entry. Only `ResponseComplete` events count, so a request counts once; an
 * allowed request is one the authorizer allowed (`authorization.k8s.io/decision: allow`) or,
 * without that annotation, one answered below 400.
 *
 * @example
 * const outcome = parseAuditLine('{"kind":"Event","apiVersion":"audit.k8s.io/v1",...}');
 * if (outcome.kind === 'use') console.log(outcome.use.identity.username, outcome.use.permission.verb);
 */
export function parseAuditLine(line: string): LineOutcome {
  let value: unknown;
  try {
    value = JSON.parse(jsonPart(line));
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  try {
    const entry = record(value, 'the line');
    // GKE: a Cloud Logging LogEntry whose protoPayload is a Cloud Audit Log record.
    if (entry.protoPayload !== undefined) return cloudAuditOutcome(entry);
    return eventOutcome(unwrap(entry));
  } catch (error) {
    if (error instanceof Malformed) return { kind: 'malformed', reason: error.message };
    throw error;
  }
}

/** CloudWatch exports put a timestamp before the JSON; everything from the first `{` is the event. */
function jsonPart(line: string): string {
  if (line.charCodeAt(0) === 123) return line;
  const start = line.indexOf('{');
  return start === -1 ? line : line.slice(start);
}

/** Log shippers wrap the event in a string field: `log` (Fluent Bit, AKS `properties.log`), `message`. */
function unwrap(object: Record<string, unknown>): Record<string, unknown> {
  if (object.kind !== undefined) return object;
  const properties = object.properties;
  const inner =
    typeof object.log === 'string'
      ? object.log
      : typeof object.message === 'string'
        ? object.message
        : properties !== null && typeof properties === 'object'
          ? (properties as Record<string, unknown>).log
          : undefined;
  if (typeof inner !== 'string' || inner.length > 1 << 22) throw new Malformed('not an audit.k8s.io Event');
  try {
    return record(JSON.parse(inner), 'the wrapped event');
  } catch (error) {
    if (error instanceof Malformed) throw error;
    throw new Malformed('the wrapped event is not JSON');
  }
}

function eventOutcome(event: Record<string, unknown>): LineOutcome {
  if (
    event.kind !== 'Event' ||
    typeof event.apiVersion !== 'string' ||
    !event.apiVersion.startsWith('audit.k8s.io/')
  )
    throw new Malformed('not an audit.k8s.io Event');
  const at = timestamp(event.requestReceivedTimestamp ?? event.stageTimestamp);
  if (event.stage !== 'ResponseComplete') return { kind: 'skipped', reason: 'stage', at };
  const decision = decisionOf(event);
  if (decision !== 'allow') return { kind: 'skipped', reason: decision, at };
  const caller = identity(event.user, 'user');
  const impersonated =
    event.impersonatedUser == null ? undefined : identity(event.impersonatedUser, 'impersonatedUser');
  const use: ApiUse = {
    at,
    identity: impersonated ?? caller,
    permission: permission(event),
    ...(impersonated ? { impersonator: caller } : {}),
  };
  return { kind: 'use', use };
}

function decisionOf(event: Record<string, unknown>): 'allow' | 'denied' | 'undecided' {
  const annotations = event.annotations;
  if (annotations !== null && typeof annotations === 'object') {
    const decision = (annotations as Record<string, unknown>)['authorization.k8s.io/decision'];
    if (decision === 'allow') return 'allow';
    if (decision === 'forbid') return 'denied';
  }
  const status = event.responseStatus;
  const code =
    status !== null && typeof status === 'object' ? (status as Record<string, unknown>).code : undefined;
  if (typeof code !== 'number') return 'undecided';
  return code < 400 ? 'allow' : 'denied';
}

function identity(value: unknown, where: string): AuditIdentity {
  const user = record(value, where);
  const username = text(user.username, `${where}.username`);
  if (username === '') throw new Malformed(`${where}.username is empty`);
  const groups = user.groups == null ? [] : list(user.groups, `${where}.groups`);
  const iamArn = arnOf(user.extra);
  return { username, groups, ...(iamArn ? { iamArn } : {}) };
}

/** EKS: `extra.canonicalArn` when present, else the session ARN in `extra.arn` made canonical. */
function arnOf(extra: unknown): string | undefined {
  if (extra === null || typeof extra !== 'object') return undefined;
  const values = extra as Record<string, unknown>;
  const first = (key: string): string | undefined => {
    const entry = values[key];
    const candidate = Array.isArray(entry) ? entry[0] : entry;
    return typeof candidate === 'string' && candidate.length <= maxField && !controlCharacters.test(candidate)
      ? candidate
      : undefined;
  };
  const canonical = first('canonicalArn');
  if (canonical?.startsWith('arn:')) return canonical;
  const arn = first('arn');
  if (!arn) return undefined;
  return canonicalizeArn(arn)?.canonical ?? arn;
}

function permission(event: Record<string, unknown>): Permission {
  const verb = text(event.verb, 'verb');
  if (verb === '') throw new Malformed('verb is empty');
  if (event.objectRef == null) {
    const uri = text(event.requestURI, 'requestURI');
    const query = uri.indexOf('?');
    const path = query === -1 ? uri : uri.slice(0, query);
    if (!path.startsWith('/')) throw new Malformed('requestURI is not a path');
    return {
      verb,
      apiGroup: '',
      resource: '',
      subresource: '',
      namespace: '',
      name: '',
      nonResourceUrl: path,
    };
  }
  const ref = record(event.objectRef, 'objectRef');
  const resource = optionalText(ref.resource, 'objectRef.resource');
  if (resource === '') throw new Malformed('objectRef.resource is empty');
  const subresource = optionalText(ref.subresource, 'objectRef.subresource');
  const name = optionalText(ref.name, 'objectRef.name');
  return {
    verb,
    apiGroup: optionalText(ref.apiGroup, 'objectRef.apiGroup'),
    resource,
    subresource,
    namespace: optionalText(ref.namespace, 'objectRef.namespace'),
    // The audit log names the object a create made, but the authorizer saw a POST to the
    // collection, without a name (a create on a subresource, such as pods/exec, has one).
    name: verb === 'create' && subresource === '' ? '' : name,
    nonResourceUrl: '',
  };
}
