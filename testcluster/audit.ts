import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';

/** The directory the test apiserver writes its audit log to: `audit.log` and rotated files. */
export function auditLogDir(clusterDirectory: string): string {
  return join(clusterDirectory, 'audit');
}

/**
 * Metadata for every request (who, verb, object, decision; never bodies, so no secret values),
 * once per request: the RequestReceived stage is omitted. Only the apiserver's own reads are
 * left out, as they are constant loopback noise; every user, group and ServiceAccount is kept.
 */
export function auditPolicy(): Record<string, unknown> {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', users: ['system:apiserver'], verbs: ['get', 'list', 'watch'] },
      { level: 'Metadata' },
    ],
  };
}

/** Writes the policy and makes the log directory; returns the apiserver flags that use them. */
export function auditFlags(clusterDirectory: string): { key: string; value: string }[] {
  const dir = auditLogDir(clusterDirectory);
  mkdirSync(dir, { recursive: true });
  const policy = join(clusterDirectory, 'audit-policy.yaml');
  writeFileSync(policy, toYaml(auditPolicy()));
  return [
    { key: 'audit-policy-file', value: policy },
    { key: 'audit-log-path', value: join(dir, 'audit.log') },
    { key: 'audit-log-format', value: 'json' },
    // Rotated at 50 MB into audit-TIMESTAMP.log beside it, the newest 5 kept: a bounded disk.
    { key: 'audit-log-maxsize', value: '50' },
    { key: 'audit-log-maxbackup', value: '5' },
  ];
}
