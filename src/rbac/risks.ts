import { awsAuthRisks } from './aws-auth-risks.js';
import type { AwsAuth } from './eks/aws-auth.js';
import { type RbacIndex, resolveSubject } from './rbac-index.js';
import { type Check, checks, type Question, type RiskFinding, type Severity } from './risk-checks/index.js';
import {
  bestMatch,
  type RoleMemo,
  type RuleMatch,
  reaches,
  reachOf,
  roleMemo,
  severityFor,
  severityRank,
} from './risk-match.js';
import type { Binding, ClusterRole, PolicyRule, Role } from './types.js';

export { checks, type RiskFinding, type Severity } from './risk-checks/index.js';

const riskyPublicGroups = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated']);
const bootstrapLabel = 'kubernetes.io/bootstrapping';

export interface RiskOptions {
  /** Include bindings Kubernetes itself creates (label kubernetes.io/bootstrapping). */
  readonly includeDefaults?: boolean;
  readonly awsAuth?: AwsAuth;
}

/** One binding as the checks see it: where it applies, what it grants, to whom. */
interface BindingView {
  readonly namespace: string | undefined;
  readonly role: Role | ClusterRole | undefined;
  readonly subjects: readonly string[];
  /** `ClusterRoleBinding name → ClusterRole role`, the start of every path. */
  readonly base: string;
}

/**
 * Risky access in a snapshot, each finding with the path that grants it.
 *
 * @example
 * findRisks(new RbacIndex(snapshot), { awsAuth }).filter((finding) => finding.severity === 'critical');
 */
export function findRisks(index: RbacIndex, options: RiskOptions = {}): RiskFinding[] {
  const bindings: Binding[] = [...index.snapshot.clusterRoleBindings, ...index.snapshot.roleBindings];
  const views = bindings
    .filter((binding) => options.includeDefaults || !binding.metadata.labels?.[bootstrapLabel])
    .map((binding) => viewOf(index, binding));
  const memo = roleMemo();
  const findings = views.flatMap((view) => bindingRisks(view, memo));
  findings.push(...combinationRisks(views, findings, memo), ...awsAuthRisks(options.awsAuth));
  return findings.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      byText(a.check, b.check) ||
      byText(a.subject, b.subject),
  );
}

/** Code-point order: stable across locales and far cheaper than localeCompare on large reports. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function viewOf(index: RbacIndex, binding: Binding): BindingView {
  const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
  const subjects = (binding.subjects ?? []).flatMap((subject) => {
    const resolved = resolveSubject(subject, binding);
    if (!resolved) return [];
    return [
      resolved.kind === 'ServiceAccount'
        ? `ServiceAccount ${resolved.namespace}/${resolved.name}`
        : `${resolved.kind} ${resolved.name}`,
    ];
  });
  const scope = binding.kind === 'RoleBinding' ? `RoleBinding ${namespace}/` : 'ClusterRoleBinding ';
  return {
    namespace,
    role: index.roleFor(binding),
    subjects,
    base: `${scope}${binding.metadata.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`,
  };
}

function bindingRisks(view: BindingView, memo: RoleMemo): RiskFinding[] {
  const { namespace, role, subjects, base } = view;
  if (!role) {
    return subjects.map((subject) => ({
      check: 'missing-role',
      severity: 'low',
      title: 'bound to a role that does not exist (creating it later grants silently)',
      subject,
      namespace,
      path: base,
    }));
  }
  const rules = role.rules ?? [];
  const matched = memo(role, namespace, 'single', () => matchedChecks(rules, namespace));
  if (matched.length === 0 && rules.length > 0) {
    return subjects
      .filter((subject) => riskyPublicGroups.has(subject.replace(/^Group /, '')))
      .map((subject) => {
        const anonymous = !subject.endsWith('system:authenticated');
        return {
          check: 'public-grant',
          severity: anonymous ? 'high' : 'medium',
          title: `granted to every ${anonymous ? 'anonymous caller' : 'authenticated user'}`,
          subject,
          namespace,
          path: `${base} → ${rules.map(describeRule).join('; ')}`,
        };
      });
  }
  return matched.flatMap(({ check, match }) =>
    subjects.map((subject) =>
      finding({
        check,
        subject,
        namespace,
        severity: severityFor(check.severity, namespace, match.reach),
        limited: match.reach === 'other-names',
        path: `${base} → ${describeRule(match.rule)}`,
      }),
    ),
  );
}

type SingleMatch = { check: Exclude<Check, { kind: 'combination' }>; match: RuleMatch };

/** Which single-binding checks a role's rules trigger; after cluster-admin, narrower ones add nothing. */
function matchedChecks(rules: readonly PolicyRule[], namespace: string | undefined): SingleMatch[] {
  const matched: SingleMatch[] = [];
  for (const check of checks) {
    switch (check.kind) {
      case 'combination':
        break;
      case 'wildcard': {
        const rule = rules.find(
          (candidate) =>
            candidate.verbs.includes('*') ||
            candidate.resources?.includes('*') ||
            candidate.apiGroups?.includes('*'),
        );
        if (rule && matched.length === 0) matched.push({ check, match: { rule, reach: 'all' } });
        break;
      }
      case 'requests': {
        const match = bestMatch(rules, check.requests, { namespace, otherNames: check.otherNames });
        if (match) matched.push({ check, match });
        if (match && check.id === 'cluster-admin') return matched;
        break;
      }
      default: {
        const unreachable: never = check;
        return unreachable;
      }
    }
  }
  return matched;
}

/**
 * Checks that need several grants: one subject holding every part, through any of its bindings.
 * Subjects already cluster-admin everywhere are left out (they hold every combination).
 */
function combinationRisks(
  views: readonly BindingView[],
  singles: readonly RiskFinding[],
  memo: RoleMemo,
): RiskFinding[] {
  const admins = new Set(
    singles
      .filter((found) => found.check.endsWith('cluster-admin') && found.namespace === undefined)
      .map((found) => found.subject),
  );
  const bySubject = new Map<string, BindingView[]>();
  for (const view of views) {
    if (!view.role) continue;
    for (const subject of view.subjects) {
      const list = bySubject.get(subject);
      if (list) list.push(view);
      else bySubject.set(subject, [view]);
    }
  }
  const findings: RiskFinding[] = [];
  for (const check of checks) {
    if (check.kind !== 'combination') continue;
    for (const [subject, subjectViews] of bySubject) {
      if (admins.has(subject)) continue;
      const parts = check.parts.map((part, n) =>
        firstGrant(subjectViews, (view, role) =>
          memo(role, view.namespace, `${check.id}#${n}`, () =>
            grantingRule(role.rules ?? [], part, view.namespace),
          ),
        ),
      );
      if (!parts.every((part) => part !== undefined)) continue;
      findings.push(
        finding({
          check,
          subject,
          namespace: undefined,
          severity: check.severity,
          limited: false,
          path: parts.map((part) => `${part.view.base} → ${describeRule(part.rule)}`).join(' + '),
        }),
      );
    }
  }
  return findings;
}

/** The first of a subject's bindings whose role grants a part, with the rule that does. */
function firstGrant(
  views: readonly BindingView[],
  ruleOf: (view: BindingView, role: Role | ClusterRole) => PolicyRule | undefined,
): { view: BindingView; rule: PolicyRule } | undefined {
  for (const view of views) {
    const rule = view.role && ruleOf(view, view.role);
    if (rule) return { view, rule };
  }
  return undefined;
}

/** The rule that grants one of the questions where the binding applies, fully or by a dangerous name. */
function grantingRule(
  rules: readonly PolicyRule[],
  questions: readonly Question[],
  namespace: string | undefined,
): PolicyRule | undefined {
  return rules.find((rule) =>
    questions.some((question) => {
      if (!reaches(question, namespace)) return false;
      const reach = reachOf(rule, question);
      return reach === 'all' || reach === 'dangerous-name';
    }),
  );
}

/** A finding; granted to everyone (a public group) it is critical whatever the check. */
function finding(input: {
  check: Check;
  subject: string;
  namespace: string | undefined;
  severity: Severity;
  limited: boolean;
  path: string;
}): RiskFinding {
  const { check, subject, namespace, path } = input;
  const title = input.limited ? `${check.title}, limited to the named objects` : check.title;
  const publicGroup = subject.startsWith('Group ') && riskyPublicGroups.has(subject.slice('Group '.length));
  if (!publicGroup) return { check: check.id, severity: input.severity, title, subject, namespace, path };
  const everyone = subject.endsWith('system:authenticated') ? 'authenticated user' : 'anonymous caller';
  return {
    check: `public-${check.id}`,
    severity: 'critical',
    title: `${title}, granted to every ${everyone}`,
    subject,
    namespace,
    path,
  };
}

export function describeRule(rule: PolicyRule): string {
  if (rule.nonResourceURLs?.length) return `${rule.verbs.join(',')} ${rule.nonResourceURLs.join(',')}`;
  const groups = (rule.apiGroups ?? []).map((group) => (group === '' ? 'core' : group)).join(',');
  const names = rule.resourceNames?.length ? ` [${rule.resourceNames.join(',')}]` : '';
  return `${rule.verbs.join(',')} ${groups}/${(rule.resources ?? []).join(',')}${names}`;
}
