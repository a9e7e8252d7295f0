import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { parseAuditLine } from './audit-event.js';
import { ingestAuditLog } from './ingest.js';
import { auditEvent, auditLine, type EventShape, type GkeShape, gkeEntry, gkeLine } from './test-events.js';
import { usageOf } from './usage-of.js';

/** A GKE entry and the native event that describe the same request. */
const sameRequests: readonly (readonly [GkeShape, EventShape])[] = [
  [{}, { name: 'web' }],
  [{ method: 'io.k8s.core.v1.pods.list', resourceName: 'core/v1/namespaces/dev/pods' }, { verb: 'list' }],
  [
    { method: 'io.k8s.core.v1.pods.exec.create', resourceName: 'core/v1/namespaces/dev/pods/web/exec' },
    { verb: 'create', subresource: 'exec', name: 'web' },
  ],
  [
    {
      method: 'io.k8s.authorization.rbac.v1.clusterrolebindings.create',
      resourceName: 'rbac.authorization.k8s.io/v1/clusterrolebindings/ops',
    },
    {
      verb: 'create',
      apiGroup: 'rbac.authorization.k8s.io',
      resource: 'clusterrolebindings',
      namespace: '',
      name: 'ops',
    },
  ],
  [
    { method: 'io.k8s.apps.v1.deployments.patch', resourceName: 'apps/v1/namespaces/dev/deployments/web' },
    { verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'web' },
  ],
  // The apiserver reads a namespace's own path as being in that namespace.
  [
    { method: 'io.k8s.core.v1.namespaces.get', resourceName: 'core/v1/namespaces/dev' },
    { resource: 'namespaces', namespace: 'dev', name: 'dev' },
  ],
  [
    { method: 'io.k8s.core.v1.namespaces.status.update', resourceName: 'core/v1/namespaces/dev/status' },
    { verb: 'update', resource: 'namespaces', subresource: 'status', namespace: 'dev', name: 'dev' },
  ],
];

describe('reading GKE Cloud Logging exports (entries built from the documented LogEntry and AuditLog shapes)', () => {
  it('reads each request into the same use as the apiserver’s own audit event, for the principal alone', () => {
    for (const [gke, native] of sameRequests) {
      const expected = parseAuditLine(auditLine({ ...native, user: 'alice@example.com', groups: [] }));
      expect(expected.kind).toBe('use');
      expect({ gke, outcome: parseAuditLine(gkeLine(gke)) }).toEqual({ gke, outcome: expected });
    }
  });

  it('skips denied requests and GKE’s own API, and still widens the window with them', () => {
    const at = '2026-11-21T08:00:00Z';
    expect(parseAuditLine(gkeLine({ granted: false, at }))).toEqual({
      kind: 'skipped',
      reason: 'denied',
      at: Date.parse(at),
    });
    expect(parseAuditLine(gkeLine({ status: { code: 7, message: 'forbidden' } }))).toMatchObject({
      kind: 'skipped',
      reason: 'denied',
    });
    const cluster = gkeEntry({
      method: 'google.container.v1.ClusterManager.CreateCluster',
      resourceName: 'projects/demo/locations/europe-west1/clusters/prod',
    });
    expect(parseAuditLine(JSON.stringify({ ...cluster, resource: { type: 'gke_cluster' } }))).toMatchObject({
      kind: 'skipped',
      reason: 'not-kubernetes',
    });
  });

  it('says why an odd or hostile GKE entry is malformed instead of guessing', () => {
    const entry = gkeEntry();
    const payload = entry.protoPayload as Record<string, unknown>;
    const hostile: Record<string, unknown>[] = [
      { ...entry, protoPayload: 'text' },
      { ...entry, protoPayload: { ...payload, '@type': 'type.googleapis.com/google.cloud.audit.Other' } },
      { ...entry, timestamp: undefined },
      { ...entry, protoPayload: { ...payload, authenticationInfo: {} } },
      { ...entry, protoPayload: { ...payload, authenticationInfo: { principalEmail: 'a\u0007b' } } },
      { ...entry, protoPayload: { ...payload, methodName: undefined } },
      { ...entry, protoPayload: { ...payload, methodName: 'io.k8s.core.pods.get' } },
      { ...entry, protoPayload: { ...payload, methodName: 'io.k8s.core.v1.get' } },
      { ...entry, protoPayload: { ...payload, methodName: 'io.k8s.core.v1.pods.exec' } },
      { ...entry, protoPayload: { ...payload, methodName: 'io.k8s.core.v1.pods.GET' } },
      { ...entry, protoPayload: { ...payload, methodName: 'io.k8s.core.v1.pods.exec.stream.create' } },
      { ...entry, protoPayload: { ...payload, methodName: 'io.k8s..v1.pods.get' } },
      { ...entry, protoPayload: { ...payload, methodName: `io.k8s.core.v1.${'x'.repeat(2000)}.get` } },
      { ...entry, protoPayload: { ...payload, resourceName: undefined } },
      { ...entry, protoPayload: { ...payload, resourceName: 'core/v2/namespaces/dev/pods/web' } },
      { ...entry, protoPayload: { ...payload, resourceName: 'core/v1/namespaces/dev/secrets/web' } },
      { ...entry, protoPayload: { ...payload, resourceName: 'core/v1/namespaces/dev/pods/web/exec' } },
      { ...entry, protoPayload: { ...payload, resourceName: 'core/v1/namespaces/dev/pods/web/log/x' } },
      { ...entry, protoPayload: { ...payload, resourceName: 'core/v1//pods' } },
      { ...entry, protoPayload: { ...payload, status: 'ok' } },
    ];
    for (const line of hostile) {
      const outcome = parseAuditLine(JSON.stringify(line));
      expect({ line, kind: outcome.kind }).toEqual({ line, kind: 'malformed' });
      if (outcome.kind === 'malformed') expect(outcome.reason).toMatch(/protoPayload|timestamp/);
    }
  });
});

describe('reading the EKS and AKS export forms', () => {
  it('reads an EKS CloudWatch event (message) and an AKS diagnostic record (properties.log) as the native event', () => {
    const native = auditEvent({ verb: 'delete', name: 'web' });
    const expected = parseAuditLine(JSON.stringify(native));
    const cloudWatch = {
      logStreamName: 'kube-apiserver-audit-0123456789abcdef',
      timestamp: 1_795_687_200_123,
      message: JSON.stringify(native),
      ingestionTime: 1_795_687_201_000,
      eventId: '38000000000000000000000000000000000000000000000000000000',
    };
    const aks = {
      time: '2026-11-20T10:00:00.1234567Z',
      resourceId:
        '/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD',
      category: 'kube-audit',
      operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read',
      properties: { log: JSON.stringify(native), stream: 'stdout', pod: 'kube-apiserver-6d9c7b6f4-abcde' },
    };
    expect(parseAuditLine(JSON.stringify(cloudWatch))).toEqual(expected);
    expect(parseAuditLine(JSON.stringify(aks))).toEqual(expected);
  });
});

describe.each(dialects)('ingesting one file of native, GKE, EKS and AKS lines on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('counts every form’s uses for the same user and reports the odd lines', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const dir = mkdtempSync(join(tmpdir(), 'mixed-audit-'));
    const user = 'alice@example.com';
    const lines = [
      auditLine({ user, verb: 'get', name: 'web', at: '2026-11-20T10:00:00Z' }),
      gkeLine({ principal: user, at: '2026-11-20T11:00:00Z' }),
      JSON.stringify({ message: auditLine({ user, verb: 'list', at: '2026-11-20T12:00:00Z' }) }),
      JSON.stringify({ properties: { log: auditLine({ user, verb: 'list', at: '2026-11-20T13:00:00Z' }) } }),
      gkeLine({ principal: user, method: 'io.k8s.core.v1.pods.exec', at: '2026-11-20T14:00:00Z' }),
      gkeLine({ principal: user, granted: false, at: '2026-11-20T15:00:00Z' }),
    ];
    try {
      writeFileSync(join(dir, 'audit.log'), `${lines.join('\n')}\n`);
      const result = await ingestAuditLog(fresh.store, { cluster: 'prod', path: dir, actor: 'local:test' });
      expect(result.events).toMatchObject({ read: 6, counted: 4, skipped: 1, malformed: 1 });
      expect(result.malformedLines[0]).toMatchObject({ line: 5 });
      const answer = await usageOf(fresh.store, {
        cluster: 'prod',
        subject: { kind: 'user', name: user },
        since: new Date('2026-11-19T00:00:00Z'),
        until: new Date('2026-11-22T00:00:00Z'),
      });
      expect(answer.kind === 'known' && answer.permissions.map((p) => [p.verb, p.name, p.count])).toEqual([
        ['list', '', 2],
        ['get', 'web', 2],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
