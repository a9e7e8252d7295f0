import { AppError } from '../errors.js';
import { type LabelSelector, selectorMatches } from '../rbac/index.js';
import { type ReviewScope, type ReviewSubjectKind, reviewSubjectKinds } from './types.js';

/** The place and role of a candidate item, as the scope filters see it. */
export interface ScopeCandidate {
  readonly subjectKind: ReviewSubjectKind;
  readonly subjectName: string;
  /** Namespaces the grant applies in; empty for cluster-wide. */
  readonly namespaces: readonly string[];
  /** `ClusterRole/NAME`, `Role/NS/NAME`, or an access policy ARN; undefined for aws-auth mappings. */
  readonly role: string | undefined;
  readonly clusterAdminEquivalent: boolean;
  readonly system: boolean;
}

/**
 * Whether a candidate is in scope. A namespace filter (by name or label selector) leaves out
 * cluster-wide grants: "every binding in namespaces labelled env=prod" means RoleBindings there.
 */
export function inScope(
  scope: ReviewScope,
  candidate: ScopeCandidate,
  namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>,
): boolean {
  if (candidate.system && !scope.includeSystem) return false;
  if (scope.subjectKinds?.length && !scope.subjectKinds.includes(candidate.subjectKind)) return false;
  if (scope.clusterAdminEquivalent && !candidate.clusterAdminEquivalent) return false;
  if (scope.roles?.length && !scope.roles.some((role) => roleMatches(role, candidate.role))) return false;
  const filtered = (scope.namespaces?.length ?? 0) > 0 || scope.namespaceSelector !== undefined;
  if (!filtered) return true;
  return candidate.namespaces.some(
    (namespace) =>
      (!scope.namespaces?.length || scope.namespaces.includes(namespace)) &&
      (!scope.namespaceSelector ||
        selectorMatches(scope.namespaceSelector, namespaceLabels.get(namespace) ?? {})),
  );
}

/** `edit` matches any role named edit; `ClusterRole/edit` and `Role/ns/name` match exactly. */
function roleMatches(wanted: string, role: string | undefined): boolean {
  if (!role) return false;
  if (wanted === role) return true;
  const name = role.split('/').at(-1);
  return !wanted.includes('/') && wanted === name;
}

/**
 * Parses `key=value,key2 in (a,b),!key3` label selector text as kubectl does (the subset of
 * equality, set and existence requirements).
 */
export function parseLabelSelector(text: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']>[number][] = [];
  for (const part of text.match(/[^,()]+(\([^)]*\))?/g) ?? []) {
    const term = part.trim();
    if (!term) continue;
    const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    const equal = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
    const exists = /^(!?)([\w./-]+)$/.exec(term);
    if (set) {
      const values = set[3]!
        .split(',')
        .map((value) => value.trim())
        .filter(Boolean);
      matchExpressions.push({ key: set[1]!, operator: set[2] === 'in' ? 'In' : 'NotIn', values });
    } else if (equal && equal[2] !== '!=') matchLabels[equal[1]!] = equal[3]!;
    else if (equal) matchExpressions.push({ key: equal[1]!, operator: 'NotIn', values: [equal[3]!] });
    else if (exists)
      matchExpressions.push({ key: exists[2]!, operator: exists[1] ? 'DoesNotExist' : 'Exists' });
    else
      throw new AppError('input.invalid', `label selector term "${term}" is not understood`, {
        fix: 'Write it as kubectl does: env=prod, tier in (a,b), !legacy',
      });
  }
  return {
    ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
    ...(matchExpressions.length ? { matchExpressions } : {}),
  };
}

export function parseSubjectKind(text: string): ReviewSubjectKind {
  const lower = text.toLowerCase().replace(/s$/, '');
  const aliases: Record<string, ReviewSubjectKind> = {
    user: 'User',
    group: 'Group',
    serviceaccount: 'ServiceAccount',
    sa: 'ServiceAccount',
    iam: 'IamPrincipal',
    iamprincipal: 'IamPrincipal',
  };
  const kind = aliases[lower];
  if (!kind)
    throw new AppError('input.invalid', `"${text}" is not a kind of subject`, {
      fix: `Use one of ${reviewSubjectKinds.join(', ')} (or user, group, sa, iam)`,
    });
  return kind;
}
