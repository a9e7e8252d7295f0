import { checks, type Question, type ScopedSeverity, type Severity } from './risk-checks/index.js';
import { ruleAllowsResource } from './rules.js';
import type { ClusterRole, PolicyRule, ResourceAttributes, Role } from './types.js';

/**
 * How a rule grants a question: for every name, only for one of the question's dangerous names
 * (a rule limited to `cluster-admin`), or only for other names it lists.
 */
export type Reach = 'all' | 'dangerous-name' | 'other-names';

const reachRank: Record<Reach, number> = { all: 0, 'dangerous-name': 1, 'other-names': 2 };

export interface RuleMatch {
  readonly rule: PolicyRule;
  readonly reach: Reach;
}

/** Whether a binding in `namespace` (undefined: a ClusterRoleBinding) can grant the question. */
export function reaches(question: Question, namespace: string | undefined): boolean {
  if (namespace === undefined) return true;
  if (question.clusterScoped) return false;
  return question.namespace === undefined || question.namespace === namespace;
}

/** The widest reach of one rule over one question, asked as the authorizer would be. */
export function reachOf(rule: PolicyRule, question: Question): Reach | undefined {
  let best: Reach | undefined;
  for (const subresource of subresourcesToAsk(rule, question)) {
    const request: ResourceAttributes = {
      verb: question.verb,
      group: question.group,
      resource: question.resource,
      ...(subresource ? { subresource } : {}),
    };
    const reach = namedReach(rule, question, request);
    if (reach === 'all') return reach;
    if (reach && (!best || reachRank[reach] < reachRank[best])) best = reach;
  }
  return best;
}

function namedReach(rule: PolicyRule, question: Question, request: ResourceAttributes): Reach | undefined {
  if (ruleAllowsResource(rule, request)) return 'all';
  const names = rule.resourceNames ?? [];
  // A create (of the object itself) or deletecollection carries no name: resourceNames never allow it.
  const nameless = (request.verb === 'create' && !request.subresource) || request.verb === 'deletecollection';
  if (names.length === 0 || nameless) return undefined;
  if (question.dangerousNames?.some((name) => ruleAllowsResource(rule, { ...request, name })))
    return 'dangerous-name';
  return names.some((name) => ruleAllowsResource(rule, { ...request, name })) ? 'other-names' : undefined;
}

/** The subresources to ask: the question's own, or for `anySubresource` every one the rule names. */
function subresourcesToAsk(rule: PolicyRule, question: Question): (string | undefined)[] {
  if (!question.anySubresource) return [question.subresource];
  const found = new Set<string>();
  for (const resource of rule.resources ?? []) {
    if (resource === '*') found.add('any');
    const slash = resource.indexOf('/');
    const owner = resource.slice(0, slash);
    if (slash !== -1 && (owner === question.resource || owner === '*')) found.add(resource.slice(slash + 1));
  }
  return [...found];
}

/** The rule of `rules` that reaches any question widest, ignoring other names when asked to. */
export function bestMatch(
  rules: readonly PolicyRule[],
  questions: readonly Question[],
  options: { namespace: string | undefined; otherNames: 'lower' | 'ignore' },
): RuleMatch | undefined {
  let best: RuleMatch | undefined;
  for (const rule of rules) {
    for (const question of questions) {
      if (!reaches(question, options.namespace)) continue;
      const reach = reachOf(rule, question);
      if (!reach || (reach === 'other-names' && options.otherNames === 'ignore')) continue;
      if (reach === 'all') return { rule, reach };
      if (!best || reachRank[reach] < reachRank[best.reach]) best = { rule, reach };
    }
  }
  return best;
}

export const severityRank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const bySeverity: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/**
 * The severity of a grant where the binding applies. A ClusterRoleBinding covers kube-system, so
 * it never ranks below the same grant there; a grant limited to other names ranks one step lower.
 */
export function severityFor(severity: ScopedSeverity, namespace: string | undefined, reach: Reach): Severity {
  const inKubeSystem = severity.kubeSystem ?? severity.namespace;
  const scoped =
    namespace === undefined
      ? bySeverity[Math.min(severityRank[severity.cluster], severityRank[inKubeSystem])]!
      : namespace === 'kube-system'
        ? inKubeSystem
        : severity.namespace;
  return reach === 'other-names' ? bySeverity[Math.min(severityRank[scoped] + 1, 3)]! : scoped;
}

/** Computes once per role and kind of scope: many bindings share few roles. */
export type RoleMemo = <T>(
  role: Role | ClusterRole,
  namespace: string | undefined,
  key: string,
  compute: () => T,
) => T;

/** Namespaces some check names (kube-system): every other namespace gets the same answers. */
const namedNamespaces = new Set(
  checks.flatMap((check) => {
    const questions =
      check.kind === 'requests' ? check.requests : check.kind === 'combination' ? check.parts.flat() : [];
    return questions.flatMap((question) => (question.namespace ? [question.namespace] : []));
  }),
);

export function roleMemo(): RoleMemo {
  const cache = new Map<Role | ClusterRole, Map<string, unknown>>();
  return <T>(role: Role | ClusterRole, namespace: string | undefined, key: string, compute: () => T): T => {
    const scope = namespace === undefined ? '' : namedNamespaces.has(namespace) ? namespace : '*';
    const entry = `${key}@${scope}`;
    let byKey = cache.get(role);
    if (!byKey) {
      byKey = new Map();
      cache.set(role, byKey);
    }
    if (byKey.has(entry)) return byKey.get(entry) as T;
    const value = compute();
    byKey.set(entry, value);
    return value;
  };
}
