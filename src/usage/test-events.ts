// Audit events shaped as kube-apiserver writes them (audit.k8s.io/v1, Metadata level), for tests.

export interface EventShape {
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  readonly impersonate?: { readonly user: string; readonly groups?: readonly string[] };
  readonly verb?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly apiGroup?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** A non-resource request (no objectRef). */
  readonly path?: string;
  readonly stage?: string;
  readonly decision?: 'allow' | 'forbid' | null;
  readonly code?: number;
  readonly at?: string;
  readonly auditID?: string;
}

let sequence = 0;

/** One audit event, as an object. */
export function auditEvent(shape: EventShape = {}): Record<string, unknown> {
  const at = shape.at ?? '2026-11-20T10:00:00.123456Z';
  const resource = shape.resource ?? 'pods';
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: shape.auditID ?? `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
    stage: shape.stage ?? 'ResponseComplete',
    requestURI: shape.path ?? `/api/v1/namespaces/${shape.namespace ?? 'dev'}/${resource}`,
    verb: shape.verb ?? 'get',
    user: {
      username: shape.user ?? 'alice',
      groups: shape.groups ?? ['devs', 'system:authenticated'],
      ...(shape.extra ? { extra: shape.extra } : {}),
    },
    ...(shape.impersonate
      ? { impersonatedUser: { username: shape.impersonate.user, groups: shape.impersonate.groups ?? [] } }
      : {}),
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.36.3',
    ...(shape.path
      ? {}
      : {
          objectRef: {
            resource,
            ...(shape.namespace === '' ? {} : { namespace: shape.namespace ?? 'dev' }),
            ...(shape.name ? { name: shape.name } : {}),
            ...(shape.subresource ? { subresource: shape.subresource } : {}),
            apiGroup: shape.apiGroup ?? '',
            apiVersion: 'v1',
          },
        }),
    responseStatus: { metadata: {}, code: shape.code ?? 200 },
    requestReceivedTimestamp: at,
    stageTimestamp: at,
    annotations:
      shape.decision === null
        ? {}
        : { 'authorization.k8s.io/decision': shape.decision ?? 'allow', 'authorization.k8s.io/reason': '' },
  };
}

/** One audit event, as one line of JSON (no newline). */
export function auditLine(shape: EventShape = {}): string {
  return JSON.stringify(auditEvent(shape));
}

/** A GKE Cloud Logging entry, built from the documented LogEntry and AuditLog shapes. */
export interface GkeShape {
  readonly principal?: string;
  readonly method?: string;
  readonly resourceName?: string;
  readonly at?: string;
  readonly status?: { readonly code?: number; readonly message?: string };
  readonly granted?: boolean;
}

/** One GKE Kubernetes audit entry as Cloud Logging exports it (a LogEntry with an AuditLog payload). */
export function gkeEntry(shape: GkeShape = {}): Record<string, unknown> {
  const method = shape.method ?? 'io.k8s.core.v1.pods.get';
  const resourceName = shape.resourceName ?? 'core/v1/namespaces/dev/pods/web';
  return {
    insertId: `gke-${++sequence}`,
    logName: 'projects/demo/logs/cloudaudit.googleapis.com%2Fdata_access',
    resource: {
      type: 'k8s_cluster',
      labels: { cluster_name: 'prod', location: 'europe-west1', project_id: 'demo' },
    },
    timestamp: shape.at ?? '2026-11-20T10:00:00.123456Z',
    receiveTimestamp: '2026-11-20T10:00:01.000000Z',
    severity: 'INFO',
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      serviceName: 'k8s.io',
      methodName: method,
      resourceName,
      authenticationInfo: { principalEmail: shape.principal ?? 'alice@example.com' },
      authorizationInfo: [{ permission: method, resource: resourceName, granted: shape.granted ?? true }],
      requestMetadata: { callerIp: '10.0.0.1', callerSuppliedUserAgent: 'kubectl/v1.36.3' },
      ...(shape.status ? { status: shape.status } : { status: {} }),
    },
  };
}

/** The same entry as one line of JSON. */
export function gkeLine(shape: GkeShape = {}): string {
  return JSON.stringify(gkeEntry(shape));
}
