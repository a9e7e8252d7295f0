import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `rbac.yaml` into `dir`: user alice may get and list pods in namespace dev, nothing else. */
export function writeReaderManifest(dir: string): void {
  writeFileSync(
    join(dir, 'rbac.yaml'),
    [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: Role',
      'metadata: {name: reader, namespace: dev}',
      'rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]',
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: RoleBinding',
      'metadata: {name: alice-reader, namespace: dev}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}',
      'subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]',
      '',
    ].join('\n'),
  );
}
