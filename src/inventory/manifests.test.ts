import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from './manifests.js';
import { manifestSource, sourceWarnings } from './source.js';

function directory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-manifests-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {verbs: [get], apiGroups: [""], resources: [pods]}
`;

describe('readManifests', () => {
  it('reads multi-document files, Lists and nested directories, and ignores other kinds', () => {
    const dir = directory({
      'a.yaml': `${role}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n`,
      'sub/b.json': JSON.stringify({
        kind: 'List',
        items: [
          {
            kind: 'ClusterRoleBinding',
            metadata: { name: 'b' },
            roleRef: { kind: 'ClusterRole', name: 'reader' },
            subjects: [{ kind: 'User', name: 'ann' }],
          },
        ],
      }),
      'notes.txt': 'not a manifest',
    });
    const read = readManifests(dir);
    expect(read.clusterRoles.map((r) => r.metadata.name)).toEqual(['reader']);
    expect(read.clusterRoleBindings[0]?.kind).toBe('ClusterRoleBinding');
    expect(read.errors).toEqual([]);
  });

  it('reports unknown fields and empty rules with file and line, and keeps the object', () => {
    const dir = directory({
      'r.yaml': `${role}---\nkind: Role\nmetadata: {name: x, namespace: dev}\nrulez: []\nrules:\n- {verbs: [], resources: [pods], apiGroups: [""]}\n`,
    });
    const read = readManifests(dir);
    expect(read.roles).toHaveLength(1);
    expect(read.errors.map((error) => error.message)).toEqual([
      `${join(dir, 'r.yaml')}:7: Role x: unknown field "rulez" (ignored)`,
      `${join(dir, 'r.yaml')}:7: Role x: rules[0] has no verbs: it grants nothing (ignored)`,
    ]);
  });

  it('reports broken YAML where it is and analyses the other documents', () => {
    const dir = directory({
      'bad.yaml': `${role}---\nkind: Role\nmetadata: {name: [\n`,
      'good.yaml': role.replace('reader', 'other'),
    });
    const read = readManifests(dir);
    expect(read.clusterRoles.map((r) => r.metadata.name)).toEqual(['reader', 'other']);
    expect(read.errors[0]?.message).toMatch(/bad\.yaml:\d+: not valid YAML/);
  });

  it('skips a binding without a valid roleRef and says so', () => {
    const dir = directory({
      'b.yaml': 'kind: RoleBinding\nmetadata: {name: b, namespace: dev}\nroleRef: {kind: Secret, name: x}\n',
    });
    expect(readManifests(dir).errors[0]?.message).toContain(
      'roleRef must name a Role or ClusterRole; skipped',
    );
  });

  it('warns about bindings to missing roles through the engine, and about malformed aws-auth lines', () => {
    const dir = directory({
      'b.yaml':
        'kind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: ghost}\nsubjects: [{kind: User, name: ann}]\n',
      'aws-auth.yaml':
        'kind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: "- rolearn: [\\n"\n',
    });
    const source = manifestSource(dir);
    expect(source.index.problems[0]?.message).toContain('ClusterRole "ghost", which does not exist');
    expect(sourceWarnings(source)[0]).toMatch(/^aws-auth mapRoles line \d+: mapRoles is not valid YAML/);
  });

  it('explains a directory it cannot read', () => {
    expect(() => readManifests('/nonexistent/gatehouse')).toThrow(/cannot read manifest directory/);
  });
});
