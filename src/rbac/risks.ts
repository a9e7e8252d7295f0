import type { AwsAuth } from './eks/aws-auth.js';
import { type RbacIndex, resolveSubject } from './rbac-index.js';
import { ruleAllowsResource } from './rules.js';
import type { Binding, PolicyRule, ResourceAttributes } from './types.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface RiskFinding {
  readonly check: string;
  readonly severity: Severity;
  readonly title: string;
  /** `User alice`, `Group devs`, `ServiceAccount ns/name`, or an IAM ARN. */
  readonly subject: string;
  /** A namespace, or undefined for cluster-wide. */
  readonly namespace: string | undefined;
  /** How it is granted: binding → role → rule, or the aws-auth entry. */
  readonly path: string;
}

interface Check {
  readonly id: string;
  readonly title: string;
  /** Severity cluster-wide, and within one namespace. */
  readonly severity: {
    readonly cluster: Severity;
    readonly namespace: Severity;
    readonly kubeSystem?: Severity;
  };
  /** Any of these requests allowed by a rule triggers the check. */
  readonly requests: readonly ResourceAttributes[];
}

const workloads = ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs'];
const groupOf: Record<string, string> = {
  pods: '',
  deployments: 'apps',
  daemonsets: 'apps',
  statefulsets: 'apps',
  replicasets: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
};

/** The checks, in the order they are reported; each is a set of concrete requests. */
export const checks: readonly Check[] = [
  {
    id: 'cluster-admin',
    title: 'full control of every resource (cluster-admin equivalent)',
    severity: { cluster: 'critical', namespace: 'high' },
    requests: [{ verb: '*', group: '*', resource: '*' }],
  },
  {
    id: 'escalate-bind',
    title: 'can grant itself any permission (escalate or bind roles)',
    severity: { cluster: 'critical', namespace: 'high' },
    requests: ['escalate', 'bind'].flatMap((verb) =>
      ['roles', 'clusterroles'].map((resource) => ({ verb, group: 'rbac.authorization.k8s.io', resource })),
    ),
  },
  {
    id: 'impersonate',
    title: 'can impersonate users, groups or service accounts',
    severity: { cluster: 'critical', namespace: 'high' },
    requests: ['users', 'groups', 'serviceaccounts'].map((resource) => ({
      verb: 'impersonate',
      group: '',
      resource,
    })),
  },
  {
    id: 'edit-aws-auth',
    title: 'can edit kube-system/aws-auth (map any IAM principal to any group)',
    severity: { cluster: 'critical', namespace: 'critical' },
    requests: ['update', 'patch'].map((verb) => ({
      verb,
      group: '',
      resource: 'configmaps',
      name: 'aws-auth',
      namespace: 'kube-system',
    })),
  },
  {
    id: 'read-secrets',
    title: 'can read secrets',
    severity: { cluster: 'high', namespace: 'medium', kubeSystem: 'high' },
    requests: ['get', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'secrets' })),
  },
  {
    id: 'pod-exec',
    title: 'can run commands in or attach to containers (pods/exec, attach, portforward)',
    severity: { cluster: 'high', namespace: 'medium', kubeSystem: 'critical' },
    requests: ['exec', 'attach', 'portforward'].map((subresource) => ({
      verb: 'create',
      group: '',
      resource: 'pods',
      subresource,
    })),
  },
  {
    id: 'create-workloads',
    title: 'can create pods or workloads (and so mount any service account of the namespace)',
    severity: { cluster: 'high', namespace: 'medium', kubeSystem: 'critical' },
    requests: workloads.map((resource) => ({ verb: 'create', group: groupOf[resource] ?? '', resource })),
  },
  {
    id: 'token-create',
    title: 'can mint service-account tokens (serviceaccounts/token create)',
    severity: { cluster: 'high', namespace: 'medium', kubeSystem: 'critical' },
    requests: [{ verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token' }],
  },
  {
    id: 'nodes-proxy',
    title: 'can reach kubelets through nodes/proxy (exec in any pod of the node)',
    severity: { cluster: 'high', namespace: 'high' },
    requests: ['get', 'create'].map((verb) => ({ verb, group: '', resource: 'nodes', subresource: 'proxy' })),
  },
  {
    id: 'wildcard',
    title: 'wildcard rule (grants resources and verbs that may not exist yet)',
    severity: { cluster: 'medium', namespace: 'low' },
    requests: [],
  },
];

const riskyPublicGroups = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated']);
const bootstrapLabel = 'kubernetes.io/bootstrapping';

export interface RiskOptions {
  /** Include bindings Kubernetes itself creates (label kubernetes.io/bootstrapping). */
  readonly includeDefaults?: boolean;
  readonly awsAuth?: AwsAuth;
}

/** Risky access in a snapshot, each finding with the path that grants it. */
export function findRisks(index: RbacIndex, options: RiskOptions = {}): RiskFinding[] {
  const findings: RiskFinding[] = [];
  const bindings: Binding[] = [...index.snapshot.clusterRoleBindings, ...index.snapshot.roleBindings];
  for (const binding of bindings) {
    if (!options.includeDefaults && binding.metadata.labels?.[bootstrapLabel]) continue;
    const role = index.roleFor(binding);
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    const subjects = (binding.subjects ?? []).flatMap((subject) => {
      const resolved = resolveSubject(subject, binding);
      return resolved
        ? [
            resolved.kind === 'ServiceAccount'
              ? `ServiceAccount ${resolved.namespace}/${resolved.name}`
              : `${resolved.kind} ${resolved.name}`,
          ]
        : [];
    });
    const base = `${binding.kind === 'RoleBinding' ? `RoleBinding ${namespace}/` : 'ClusterRoleBinding '}${binding.metadata.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`;
    if (!role) {
      for (const subject of subjects) {
        findings.push({
          check: 'missing-role',
          severity: 'low',
          title: 'bound to a role that does not exist (creating it later grants silently)',
          subject,
          namespace,
          path: base,
        });
      }
      continue;
    }
    const matched = matchedChecks(role.rules ?? [], namespace);
    if (matched.length === 0 && (role.rules ?? []).length > 0) {
      for (const subject of subjects.filter((candidate) =>
        riskyPublicGroups.has(candidate.replace(/^Group /, '')),
      )) {
        const anonymous = !subject.endsWith('system:authenticated');
        findings.push({
          check: 'public-grant',
          severity: anonymous ? 'high' : 'medium',
          title: `granted to every ${anonymous ? 'anonymous caller' : 'authenticated user'}`,
          subject,
          namespace,
          path: `${base} → ${(role.rules ?? []).map(describeRule).join('; ')}`,
        });
      }
    }
    for (const [check, rule] of matched) {
      const severity =
        namespace === undefined
          ? check.severity.cluster
          : namespace === 'kube-system'
            ? (check.severity.kubeSystem ?? check.severity.namespace)
            : check.severity.namespace;
      for (const subject of subjects) {
        const publicGroup =
          riskyPublicGroups.has(subject.replace(/^Group /, '')) && subject.startsWith('Group ');
        findings.push({
          check: publicGroup ? `public-${check.id}` : check.id,
          severity: publicGroup ? 'critical' : severity,
          title: publicGroup
            ? `${check.title}, granted to every ${subject.includes('anonymous') || subject.includes('unauthenticated') ? 'anonymous caller' : 'authenticated user'}`
            : check.title,
          subject,
          namespace,
          path: `${base} → ${describeRule(rule)}`,
        });
      }
    }
  }
  findings.push(...awsAuthRisks(options.awsAuth));
  return findings.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      a.check.localeCompare(b.check) ||
      a.subject.localeCompare(b.subject),
  );
}

const severityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Which checks a role's rules trigger; once cluster-admin matches, narrower checks add nothing. */
function matchedChecks(rules: readonly PolicyRule[], namespace: string | undefined): [Check, PolicyRule][] {
  const matched: [Check, PolicyRule][] = [];
  for (const check of checks) {
    if (check.id === 'wildcard') {
      const rule = rules.find(
        (candidate) =>
          candidate.verbs.includes('*') ||
          candidate.resources?.includes('*') ||
          candidate.apiGroups?.includes('*'),
      );
      if (rule && matched.length === 0) matched.push([check, rule]);
      continue;
    }
    const rule = rules.find((candidate) =>
      check.requests.some((request) => {
        // edit-aws-auth only exists in kube-system; a RoleBinding elsewhere cannot reach it.
        if (request.namespace && namespace !== undefined && namespace !== request.namespace) return false;
        return ruleAllowsResource(candidate, request);
      }),
    );
    if (rule) matched.push([check, rule]);
    if (check.id === 'cluster-admin' && rule) return matched;
  }
  return matched;
}

export function describeRule(rule: PolicyRule): string {
  if (rule.nonResourceURLs?.length) return `${rule.verbs.join(',')} ${rule.nonResourceURLs.join(',')}`;
  const groups = (rule.apiGroups ?? []).map((group) => (group === '' ? 'core' : group)).join(',');
  const names = rule.resourceNames?.length ? ` [${rule.resourceNames.join(',')}]` : '';
  return `${rule.verbs.join(',')} ${groups}/${(rule.resources ?? []).join(',')}${names}`;
}

function awsAuthRisks(awsAuth: AwsAuth | undefined): RiskFinding[] {
  if (!awsAuth) return [];
  const findings: RiskFinding[] = [];
  const mappings = [
    ...awsAuth.mapRoles.map((mapping, entry) => ({
      arn: mapping.rolearn,
      groups: mapping.groups,
      where: `aws-auth mapRoles[${entry}]`,
    })),
    ...awsAuth.mapUsers.map((mapping, entry) => ({
      arn: mapping.userarn,
      groups: mapping.groups,
      where: `aws-auth mapUsers[${entry}]`,
    })),
  ];
  for (const mapping of mappings) {
    if (!mapping.groups.includes('system:masters')) continue;
    findings.push({
      check: 'system-masters-mapping',
      severity: 'critical',
      title: 'IAM principal mapped to system:masters (superuser that no RBAC change can limit)',
      subject: mapping.arn,
      namespace: undefined,
      path: `${mapping.where} → group system:masters`,
    });
  }
  for (const account of awsAuth.mapAccounts) {
    findings.push({
      check: 'map-accounts',
      severity: 'medium',
      title: 'every IAM principal of an AWS account can authenticate (mapAccounts)',
      subject: `account ${account}`,
      namespace: undefined,
      path: 'aws-auth mapAccounts',
    });
  }
  return findings;
}
