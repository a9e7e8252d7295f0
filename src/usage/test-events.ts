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
