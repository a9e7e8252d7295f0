import type { LineOutcome, Permission } from './audit-event.js';
import { Malformed, optionalText, record, text, timestamp } from './audit-fields.js';

// What GKE writes, as its audit-logging pages and the AuditLog message describe it (the facts this
// parser relies on, in our words):
// - Each Kubernetes API request becomes one Cloud Logging LogEntry (resource.type `k8s_cluster`):
//   `timestamp` is when it happened, `protoPayload` an AuditLog (`@type`
//   `type.googleapis.com/google.cloud.audit.AuditLog`).
// - `protoPayload.authenticationInfo.principalEmail` is the Kubernetes username: a Google account,
//   or `system:serviceaccount:NS:NAME`. The entry does not carry the user's groups, so these uses
//   count for the user alone (group usage needs the apiserver's own audit events).
// - `protoPayload.methodName` is `io.k8s.` + the API group's words + `.VERSION.RESOURCE[.SUBRESOURCE].VERB`
//   (`io.k8s.core.v1.pods.get`, `io.k8s.core.v1.pods.exec.create`,
//   `io.k8s.authorization.rbac.v1.clusterrolebindings.create`). The group's spelling there is not
//   reliably reversible, so the group is read from resourceName.
// - `protoPayload.resourceName` is the request path from the group: `GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]`,
//   GROUP `core` for the core group (`core/v1/namespaces/NS/pods/NAME`,
//   `rbac.authorization.k8s.io/v1/clusterrolebindings/NAME`).
// - `protoPayload.status` is a google.rpc.Status: absent or code 0 is success, 7 PERMISSION_DENIED;
//   `protoPayload.authorizationInfo[]` says per permission whether it was `granted`.
// - GKE's own API (clusters, node pools: `google.container.v1.ClusterManager.*`) is logged in the same
//   form; those entries are not Kubernetes API requests.

const version = /^v\d+((alpha|beta)\d+)?$/;
// The verbs the apiserver gives a request (connect requests such as exec are get or create), so a
// method missing its verb (`io.k8s.core.v1.pods.exec`) is refused rather than read as verb "exec".
const requestVerbs = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
]);
const word = /^[a-z0-9-]+$/;
// Namespace subresources that stay on the namespace (as the apiserver's request info reads a path).
const namespaceSubresources = new Set(['status', 'finalize']);

/** One GKE Cloud Logging entry as a line outcome; throws `Malformed` with the reason. */
export function cloudAuditOutcome(entry: Record<string, unknown>): LineOutcome {
  const payload = record(entry.protoPayload, 'protoPayload');
  const type = payload['@type'];
  if (type !== undefined && type !== 'type.googleapis.com/google.cloud.audit.AuditLog')
    throw new Malformed('protoPayload is not a Cloud Audit Log record (@type)');
  const at = timestamp(entry.timestamp);
  const method = text(payload.methodName, 'protoPayload.methodName');
  if (!method.startsWith('io.k8s.')) return { kind: 'skipped', reason: 'not-kubernetes', at };
  const decision = decisionOf(payload);
  if (decision !== 'allow') return { kind: 'skipped', reason: decision, at };
  const authentication = record(payload.authenticationInfo, 'protoPayload.authenticationInfo');
  const username = text(authentication.principalEmail, 'protoPayload.authenticationInfo.principalEmail');
  if (username === '') throw new Malformed('protoPayload.authenticationInfo.principalEmail is empty');
  return {
    kind: 'use',
    use: { at, identity: { username, groups: [] }, permission: permissionOf(method, payload.resourceName) },
  };
}

function decisionOf(payload: Record<string, unknown>): 'allow' | 'denied' {
  const checks = payload.authorizationInfo;
  if (Array.isArray(checks) && checks.some((check) => (check as { granted?: unknown })?.granted === false))
    return 'denied';
  if (payload.status == null) return 'allow';
  const code = record(payload.status, 'protoPayload.status').code;
  return code === undefined || code === 0 ? 'allow' : 'denied';
}

interface Method {
  readonly verb: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
}

/** `io.k8s.core.v1.pods.exec.create` → verb create, version v1, pods/exec. */
function methodOf(method: string): Method {
  const parts = method.split('.');
  const at = (index: number): string => parts[parts.length + index] ?? '';
  const fail = () =>
    new Malformed(
      `protoPayload.methodName "${method.slice(0, 120)}" is not io.k8s.GROUP.VERSION.RESOURCE[.SUBRESOURCE].VERB`,
    );
  if (!parts.every((part) => word.test(part)) || !requestVerbs.has(at(-1))) throw fail();
  if (version.test(at(-3)) && parts.length >= 6)
    return { verb: at(-1), version: at(-3), resource: at(-2), subresource: '' };
  if (version.test(at(-4)) && parts.length >= 7)
    return { verb: at(-1), version: at(-4), resource: at(-3), subresource: at(-2) };
  throw fail();
}

/** The permission, from the method (verb, resource, subresource) and the resource name (group, namespace, name). */
function permissionOf(methodName: string, resourceName: unknown): Permission {
  const method = methodOf(methodName);
  const path = text(resourceName ?? '', 'protoPayload.resourceName');
  const segments = path.split('/');
  if (segments.length < 3 || segments[1] !== method.version || segments.some((segment) => segment === ''))
    throw new Malformed(
      `protoPayload.resourceName "${path.slice(0, 120)}" is not GROUP/${method.version}/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]`,
    );
  let parts = segments.slice(2);
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1]!;
    if (parts.length > 2 && !namespaceSubresources.has(parts[2]!)) parts = parts.slice(2);
  }
  const [resource = '', name = '', subresource = '', ...rest] = parts;
  if (resource !== method.resource || subresource !== method.subresource || rest.length > 0)
    throw new Malformed(
      `protoPayload.methodName "${methodName}" and resourceName "${path}" name different requests`,
    );
  return {
    verb: method.verb,
    apiGroup: segments[0] === 'core' ? '' : optionalText(segments[0], 'protoPayload.resourceName'),
    resource,
    subresource,
    namespace,
    // As for the apiserver's own events: the authorizer saw a plain create without a name.
    name: method.verb === 'create' && subresource === '' ? '' : name,
    nonResourceUrl: '',
  };
}
