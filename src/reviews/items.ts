import type { ClusterRead } from '../inventory/index.js';
import {
  type Binding,
  findRisks,
  parseAwsAuth,
  RbacIndex,
  type RiskFinding,
  resolveSubject,
  type Severity,
} from '../rbac/index.js';
import { inScope, type ScopeCandidate } from './scope.js';
import type { GrantRef, ReviewScope, ReviewSubject } from './types.js';

/** An item before it has a reviewer or an id: one subject × one grant, with what is known of it. */
export interface ItemDraft {
  readonly subject: ReviewSubject;
  readonly namespace: string;
  readonly grant: GrantRef;
  readonly risks: readonly RiskFinding[];
  readonly severity: Severity | undefined;
  readonly holders: number;
}

const bootstrapLabel = 'kubernetes.io/bootstrapping';
const severityOrder: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** The highest severity among findings. */
export function highestSeverity(risks: readonly RiskFinding[]): Severity | undefined {
  return severityOrder.find((severity) => risks.some((risk) => risk.severity === severity));
}

/** How risk findings name a subject: `User alice`, `ServiceAccount ns/name`, or an ARN. */
export function subjectLabel(subject: ReviewSubject): string {
  if (subject.kind === 'IamPrincipal') return subject.name;
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount ${subject.namespace}/${subject.name}`
    : `${subject.kind} ${subject.name}`;
}

/** The start of every risk path through a binding (see rbac/risks.ts). */
function pathBase(binding: Binding): string {
  const scope =
    binding.kind === 'RoleBinding' ? `RoleBinding ${binding.metadata.namespace}/` : 'ClusterRoleBinding ';
  return `${scope}${binding.metadata.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`;
}

function throughBinding(finding: RiskFinding, base: string): boolean {
  return finding.path === base || finding.path.startsWith(`${base} `) || finding.path.includes(` + ${base}`);
}

interface Context {
  readonly index: RbacIndex;
  readonly findings: readonly RiskFinding[];
  readonly labels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly scope: ReviewScope;
}

/**
 * Every subject × grant of one synced cluster that the scope selects, each with the risks found on
 * that grant and how many other subjects hold the same role in the same place. Pure: the same
 * snapshot and scope always give the same items, in the same order.
 */
export function buildItems(read: ClusterRead, scope: ReviewScope): ItemDraft[] {
  const index = new RbacIndex({
    roles: read.roles,
    clusterRoles: read.clusterRoles,
    roleBindings: read.roleBindings,
    clusterRoleBindings: read.clusterRoleBindings,
  });
  const awsAuth = read.awsAuth?.data ? parseAwsAuth(read.awsAuth.data) : undefined;
  const findings = findRisks(index, { includeDefaults: true, ...(awsAuth ? { awsAuth } : {}) });
  const labels = new Map(read.namespaces.map((ns) => [ns.metadata.name, ns.metadata.labels ?? {}]));
  const context: Context = { index, findings, labels, scope };
  const placed: { readonly place: string; readonly draft: Omit<ItemDraft, 'holders'> }[] = [];
  const holders = new Map<string, Set<string>>();
  for (const binding of [...read.clusterRoleBindings, ...read.roleBindings]) {
    for (const { place, label, draft } of bindingItems(binding, context)) {
      const set = holders.get(place) ?? new Set<string>();
      holders.set(place, set.add(label));
      if (draft) placed.push({ place, draft });
    }
  }
  const bound = placed.map(({ place, draft }) => ({
    ...draft,
    holders: Math.max(0, (holders.get(place)?.size ?? 1) - 1),
  }));
  return [...bound, ...iamItems(read, scope, findings, labels)].sort(byPlace);
}

/** Each subject of a binding: where it holds the role, and its item when in scope. */
interface PlacedSubject {
  readonly place: string;
  readonly label: string;
  readonly draft: Omit<ItemDraft, 'holders'> | undefined;
}

function bindingItems(binding: Binding, context: Context): PlacedSubject[] {
  const namespace = binding.kind === 'RoleBinding' ? (binding.metadata.namespace ?? '') : '';
  const { roleRef } = binding;
  const place = `${namespace}|${roleRef.kind}:${roleRef.kind === 'Role' ? `${namespace}/` : ''}${roleRef.name}`;
  const base = pathBase(binding);
  return (binding.subjects ?? []).flatMap((raw): PlacedSubject[] => {
    const resolved = resolveSubject(raw, binding);
    if (!resolved) return [];
    const subject: ReviewSubject = {
      kind: resolved.kind,
      name: resolved.name,
      ...(resolved.namespace ? { namespace: resolved.namespace } : {}),
    };
    const label = subjectLabel(subject);
    const risks = context.findings.filter(
      (finding) => finding.subject === label && throughBinding(finding, base),
    );
    const candidate: ScopeCandidate = {
      subjectKind: subject.kind,
      subjectName: subject.name,
      namespaces: namespace ? [namespace] : [],
      role: roleRef.kind === 'Role' ? `Role/${namespace}/${roleRef.name}` : `ClusterRole/${roleRef.name}`,
      clusterAdminEquivalent: risks.some((risk) => risk.check === 'cluster-admin'),
      system: binding.metadata.labels?.[bootstrapLabel] !== undefined || subject.name.startsWith('system:'),
    };
    if (!inScope(context.scope, candidate, context.labels)) return [{ place, label, draft: undefined }];
    const grant: GrantRef = {
      type: 'binding',
      bindingKind: binding.kind,
      bindingName: binding.metadata.name,
      ...(namespace ? { namespace } : {}),
      roleRef: { kind: roleRef.kind, name: roleRef.name },
      owned: binding.metadata.labels?.['app.kubernetes.io/managed-by'] === 'gatehouse',
      roleMissing: context.index.roleFor(binding) === undefined,
    };
    return [{ place, label, draft: { subject, namespace, grant, risks, severity: highestSeverity(risks) } }];
  });
}

/** aws-auth mappings and EKS access-policy associations: IAM principals' grants. */
function iamItems(
  read: ClusterRead,
  scope: ReviewScope,
  findings: readonly RiskFinding[],
  labels: ReadonlyMap<string, Readonly<Record<string, string>>>,
): ItemDraft[] {
  const items: ItemDraft[] = [];
  const awsAuth = read.awsAuth?.data ? parseAwsAuth(read.awsAuth.data) : undefined;
  const mappings = [
    ...(awsAuth?.mapRoles ?? []).map((m) => ({ arn: m.rolearn, username: m.username, groups: m.groups })),
    ...(awsAuth?.mapUsers ?? []).map((m) => ({ arn: m.userarn, username: m.username, groups: m.groups })),
  ];
  for (const mapping of mappings) {
    const risks = findings.filter((finding) => finding.subject === mapping.arn);
    const candidate: ScopeCandidate = {
      subjectKind: 'IamPrincipal',
      subjectName: mapping.arn,
      namespaces: [],
      role: undefined,
      clusterAdminEquivalent: mapping.groups.includes('system:masters'),
      // Node roles map to system:node:… and must never be revoked by a review.
      system: mapping.username.startsWith('system:node:'),
    };
    if (!inScope(scope, candidate, labels)) continue;
    items.push({
      subject: { kind: 'IamPrincipal', name: mapping.arn },
      namespace: '',
      grant: { type: 'aws-auth', username: mapping.username, groups: mapping.groups },
      risks,
      severity: highestSeverity(risks),
      holders: 0,
    });
  }
  for (const entry of read.eks?.accessEntries ?? []) {
    for (const policy of entry.policies) {
      const policyName = policy.policyArn.split('/').at(-1) ?? policy.policyArn;
      const namespaces = policy.accessScope.type === 'namespace' ? (policy.accessScope.namespaces ?? []) : [];
      const candidate: ScopeCandidate = {
        subjectKind: 'IamPrincipal',
        subjectName: entry.principalArn,
        namespaces,
        role: policyName,
        clusterAdminEquivalent: policyName === 'AmazonEKSClusterAdminPolicy' && namespaces.length === 0,
        system: entry.type !== 'STANDARD',
      };
      if (!inScope(scope, candidate, labels)) continue;
      const holders = (read.eks?.accessEntries ?? []).filter((other) =>
        other.policies.some((p) => p.policyArn === policy.policyArn),
      ).length;
      items.push({
        subject: { kind: 'IamPrincipal', name: entry.principalArn },
        namespace: namespaces.join(','),
        grant: { type: 'access-policy', policyArn: policy.policyArn, accessScope: policy.accessScope },
        risks: findings.filter((finding) => finding.subject === entry.principalArn),
        severity: undefined,
        holders: Math.max(0, holders - 1),
      });
    }
  }
  return items;
}

function byPlace(a: ItemDraft, b: ItemDraft): number {
  const key = (item: ItemDraft) =>
    [
      item.namespace,
      item.subject.kind,
      item.subject.namespace ?? '',
      item.subject.name,
      grantLabel(item.grant),
    ].join('\u0000');
  const left = key(a);
  const right = key(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** One line naming a grant: `RoleBinding payments/bob-edit → ClusterRole edit`. */
export function grantLabel(grant: GrantRef): string {
  switch (grant.type) {
    case 'binding':
      return `${grant.bindingKind} ${grant.namespace ? `${grant.namespace}/` : ''}${grant.bindingName} → ${grant.roleRef.kind} ${grant.roleRef.name}`;
    case 'aws-auth':
      return `aws-auth → ${grant.username}${grant.groups.length ? ` (${grant.groups.join(', ')})` : ''}`;
    case 'access-policy':
      return `access entry → ${grant.policyArn.split('/').at(-1)} (${grant.accessScope.type === 'cluster' ? 'cluster' : (grant.accessScope.namespaces ?? []).join(', ')})`;
    default: {
      const unknown: never = grant;
      return String(unknown);
    }
  }
}
