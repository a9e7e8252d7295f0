import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { AppError, messageOf } from '../errors.js';
import type { AccessEntry } from '../rbac/index.js';
import type { ClusterRead, EksAccessConfig, ReadError } from './read-cluster.js';

const knownFields: Readonly<Record<string, ReadonlySet<string>>> = {
  Role: new Set(['apiVersion', 'kind', 'metadata', 'rules']),
  ClusterRole: new Set(['apiVersion', 'kind', 'metadata', 'rules', 'aggregationRule']),
  RoleBinding: new Set(['apiVersion', 'kind', 'metadata', 'roleRef', 'subjects']),
  ClusterRoleBinding: new Set(['apiVersion', 'kind', 'metadata', 'roleRef', 'subjects']),
};
const ruleFields = new Set(['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']);
const subjectKinds = new Set(['User', 'Group', 'ServiceAccount']);

/**
 * Reads RBAC objects, Namespaces, ServiceAccounts and kube-system/aws-auth from a directory of
 * YAML or JSON manifests (recursively; multi-document files and `kind: List` included). Anything
 * malformed is reported with its file and line and left out; the rest is analysed.
 */
export function readManifests(dir: string): ClusterRead {
  const read = {
    namespaces: [] as ClusterRead['namespaces'][number][],
    serviceAccounts: [] as ClusterRead['serviceAccounts'][number][],
    roles: [] as ClusterRead['roles'][number][],
    clusterRoles: [] as ClusterRead['clusterRoles'][number][],
    roleBindings: [] as ClusterRead['roleBindings'][number][],
    clusterRoleBindings: [] as ClusterRead['clusterRoleBindings'][number][],
    awsAuth: undefined as ClusterRead['awsAuth'],
    eks: undefined as EksAccessConfig | undefined,
  };
  const errors: ReadError[] = [];
  for (const file of manifestFiles(dir)) {
    const lineCounter = new LineCounter();
    let documents: ReturnType<typeof parseAllDocuments>;
    try {
      documents = parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter });
    } catch (error) {
      errors.push({ resource: file, code: 'input.invalid', message: `${file}: ${messageOf(error)}` });
      continue;
    }
    for (const document of Array.isArray(documents) ? documents : [documents]) {
      const line = lineCounter.linePos(document.contents?.range?.[0] ?? document.range?.[0] ?? 0).line;
      const where = `${file}:${line}`;
      if (document.errors.length > 0) {
        const error = document.errors[0]!;
        errors.push({
          resource: where,
          code: 'input.invalid',
          message: `${file}:${error.linePos?.[0]?.line ?? line}: not valid YAML: ${error.message.split('\n')[0]}`,
        });
        continue;
      }
      const value: unknown = document.toJSON();
      if (value === null || value === undefined) continue;
      for (const object of expandList(value)) collect(object, where, read, errors);
    }
  }
  const { eks, ...rest } = read;
  return { ...rest, ...(eks ? { eks } : {}), resourceVersions: {}, errors };
}

function manifestFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    throw new AppError('input.invalid', `cannot read manifest directory ${dir}: ${messageOf(error)}`, {
      fix: 'Pass -f with a directory of YAML or JSON manifests',
      cause: error,
    });
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return manifestFiles(path);
    return ['.yaml', '.yml', '.json'].includes(extname(entry)) ? [path] : [];
  });
}

function expandList(value: unknown): unknown[] {
  const record = value as { kind?: unknown; items?: unknown };
  if (
    record &&
    typeof record === 'object' &&
    typeof record.kind === 'string' &&
    record.kind.endsWith('List') &&
    Array.isArray(record.items)
  ) {
    return record.items;
  }
  return [value];
}

type Mutable = Omit<ClusterRead, 'resourceVersions' | 'errors' | 'eks'> & {
  awsAuth: ClusterRead['awsAuth'];
  eks?: EksAccessConfig;
};

const modes = new Set(['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API']);

/**
 * `kind: EksAccessConfig` (gatehouse.dev/v1alpha1): the authentication mode and access entries
 * in the shapes of the EKS API (DescribeAccessEntry + ListAssociatedAccessPolicies), for offline
 * analysis of what the EKS provider port reads during a sync.
 */
function eksConfig(
  object: Record<string, unknown>,
  problem: (message: string) => void,
): EksAccessConfig | undefined {
  const mode = object.authenticationMode;
  if (typeof mode !== 'string' || !modes.has(mode)) {
    problem('authenticationMode must be CONFIG_MAP, API_AND_CONFIG_MAP or API; skipped');
    return undefined;
  }
  const entries = Array.isArray(object.accessEntries) ? object.accessEntries : [];
  const accessEntries = entries.flatMap((entry: Record<string, unknown>, index: number) => {
    if (typeof entry?.principalArn !== 'string' || !String(entry.principalArn).startsWith('arn:')) {
      problem(`accessEntries[${index}] has no principalArn (ignored)`);
      return [];
    }
    const policies = (
      Array.isArray(entry.associatedAccessPolicies) ? entry.associatedAccessPolicies : []
    ).map((policy: Record<string, unknown>) => ({
      policyArn: String(policy?.policyArn ?? ''),
      accessScope: (policy?.accessScope ?? {
        type: 'cluster',
      }) as AccessEntry['policies'][number]['accessScope'],
    }));
    return [
      {
        principalArn: entry.principalArn as string,
        type: (typeof entry.type === 'string' ? entry.type : 'STANDARD') as AccessEntry['type'],
        ...(typeof entry.username === 'string' ? { username: entry.username } : {}),
        kubernetesGroups: Array.isArray(entry.kubernetesGroups) ? (entry.kubernetesGroups as string[]) : [],
        policies,
      },
    ];
  });
  return { authenticationMode: mode as EksAccessConfig['authenticationMode'], accessEntries };
}

function collect(value: unknown, where: string, read: Mutable, errors: ReadError[]): void {
  const object = value as Record<string, unknown>;
  const kind = typeof object?.kind === 'string' ? object.kind : undefined;
  const metadata = object?.metadata as { name?: unknown; namespace?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const problem = (message: string) =>
    errors.push({
      resource: where,
      code: 'input.invalid',
      message: `${where}: ${kind ?? 'object'} ${name ?? '(no name)'}: ${message}`,
    });
  if (kind === 'EksAccessConfig') {
    read.eks = eksConfig(object, problem);
    return;
  }
  if (!kind || !name) {
    if (kind && knownFields[kind]) problem('has no metadata.name; skipped');
    return;
  }
  if (kind === 'Namespace') return void read.namespaces.push(object as never);
  if (kind === 'ServiceAccount') return void read.serviceAccounts.push(object as never);
  if (kind === 'ConfigMap' && name === 'aws-auth' && metadata?.namespace === 'kube-system') {
    read.awsAuth = object as never;
    return;
  }
  const fields = knownFields[kind];
  if (!fields) return;
  for (const field of Object.keys(object))
    if (!fields.has(field)) problem(`unknown field "${field}" (ignored)`);
  if (kind === 'Role' || kind === 'ClusterRole') {
    const rules = checkRules(object.rules, problem);
    if (kind === 'Role' && typeof metadata?.namespace !== 'string')
      return void problem('a Role needs metadata.namespace; skipped');
    const role = { ...object, kind, rules } as never;
    if (kind === 'Role') read.roles.push(role);
    else read.clusterRoles.push(role);
    return;
  }
  const roleRef = object.roleRef as { kind?: unknown; name?: unknown } | undefined;
  if (
    !roleRef ||
    (roleRef.kind !== 'Role' && roleRef.kind !== 'ClusterRole') ||
    typeof roleRef.name !== 'string'
  ) {
    return void problem('roleRef must name a Role or ClusterRole; skipped');
  }
  if (kind === 'ClusterRoleBinding' && roleRef.kind === 'Role')
    return void problem('a ClusterRoleBinding cannot refer to a Role; skipped');
  if (kind === 'RoleBinding' && typeof metadata?.namespace !== 'string')
    return void problem('a RoleBinding needs metadata.namespace; skipped');
  const subjects = (Array.isArray(object.subjects) ? object.subjects : []).filter(
    (subject: { kind?: unknown; name?: unknown }) => {
      const valid = subjectKinds.has(String(subject?.kind)) && typeof subject?.name === 'string';
      if (!valid)
        problem(
          `subject ${JSON.stringify(subject)} is not a User, Group or ServiceAccount with a name (ignored)`,
        );
      return valid;
    },
  );
  const binding = { ...object, kind, subjects } as never;
  if (kind === 'RoleBinding') read.roleBindings.push(binding);
  else read.clusterRoleBindings.push(binding);
}

function checkRules(rules: unknown, problem: (message: string) => void): unknown[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) {
    problem('rules must be a list; treated as empty');
    return [];
  }
  return rules.filter((rule: Record<string, unknown>, index) => {
    if (!rule || typeof rule !== 'object') {
      problem(`rules[${index}] is not a mapping (ignored)`);
      return false;
    }
    for (const field of Object.keys(rule))
      if (!ruleFields.has(field)) problem(`rules[${index}]: unknown field "${field}" (ignored)`);
    if (!Array.isArray(rule.verbs) || rule.verbs.length === 0) {
      problem(`rules[${index}] has no verbs: it grants nothing (ignored)`);
      return false;
    }
    if (!rule.resources && !rule.nonResourceURLs) {
      problem(`rules[${index}] names no resources or nonResourceURLs: it grants nothing (ignored)`);
      return false;
    }
    return true;
  });
}
