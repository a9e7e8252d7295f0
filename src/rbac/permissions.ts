import { AppError } from '../errors.js';
import { type RbacIndex, resolveSubject, serviceAccountCandidates, superuserGroup } from './rbac-index.js';
import type { Binding, PolicyRule } from './types.js';

/** A subject as users name it on the command line. */
export type SubjectRef =
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'group'; readonly name: string }
  | { readonly kind: 'serviceaccount'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'iam'; readonly arn: string };

/**
 * Parses `user:NAME`, `group:NAME`, `sa:NS/NAME` (or `system:serviceaccount:NS:NAME`) and `iam:ARN`.
 */
export function parseSubjectRef(text: string): SubjectRef {
  if (text.startsWith('system:serviceaccount:')) {
    const [candidate] = serviceAccountCandidates(text);
    if (candidate) return { kind: 'serviceaccount', ...candidate };
  }
  const colon = text.indexOf(':');
  const prefix = colon === -1 ? '' : text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (colon !== -1 && value) {
    if (prefix === 'user') return { kind: 'user', name: value };
    if (prefix === 'group') return { kind: 'group', name: value };
    if (prefix === 'iam' && value.startsWith('arn:')) return { kind: 'iam', arn: value };
    if (prefix === 'sa') {
      const [namespace, name, ...rest] = value.split('/');
      if (namespace && name && rest.length === 0) return { kind: 'serviceaccount', namespace, name };
    }
  }
  throw new AppError('input.invalid', `unknown subject "${text}"`, {
    fix: 'Name it as user:NAME, group:NAME, sa:NAMESPACE/NAME or iam:ARN (e.g. sa:payments/api, iam:arn:aws:iam::111122223333:role/Admin)',
  });
}

/** The identity the authorizer sees for a subject, with the groups every such identity gets. */
export function identityOf(subject: Exclude<SubjectRef, { kind: 'iam' }>): {
  user: string;
  groups: string[];
} {
  switch (subject.kind) {
    case 'user':
      return { user: subject.name, groups: ['system:authenticated'] };
    case 'group':
      // A group alone: no user name matches, only the group's own bindings count.
      return { user: '', groups: [subject.name] };
    case 'serviceaccount':
      return {
        user: `system:serviceaccount:${subject.namespace}:${subject.name}`,
        groups: [
          'system:serviceaccounts',
          `system:serviceaccounts:${subject.namespace}`,
          'system:authenticated',
        ],
      };
    default: {
      const unreachable: never = subject;
      return unreachable;
    }
  }
}

export interface PermissionEntry {
  /** A namespace, or undefined for cluster-wide. */
  readonly namespace: string | undefined;
  readonly rule: PolicyRule;
  readonly binding: string;
  readonly role: string;
  /**
   * The subjects of the binding that are the identity asked about (`User alice`, `Group devs`,
   * `ServiceAccount ns/name`), comma-separated when several match.
   */
  readonly through: string;
}

export interface EffectivePermissions {
  readonly user: string;
  readonly groups: readonly string[];
  readonly superuser: boolean;
  readonly entries: readonly PermissionEntry[];
}

/** Everything an identity may do, rule by rule, with the binding that grants each. */
export function effectivePermissions(
  index: RbacIndex,
  identity: { user: string; groups: readonly string[] },
): EffectivePermissions {
  const entries: PermissionEntry[] = [];
  for (const { binding, rules } of index.bindingsFor(identity.user, identity.groups)) {
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    for (const rule of rules) {
      // Non-resource rules reached through a RoleBinding grant nothing.
      if (namespace !== undefined && rule.nonResourceURLs?.length && !rule.resources?.length) continue;
      entries.push({
        namespace,
        rule,
        binding: `${binding.kind}/${namespace ? `${namespace}/` : ''}${binding.metadata.name}`,
        role: `${binding.roleRef.kind}/${binding.roleRef.name}`,
        through: matchedSubject(binding, identity),
      });
    }
  }
  entries.sort(
    (a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.binding.localeCompare(b.binding),
  );
  return {
    user: identity.user,
    groups: identity.groups,
    superuser: identity.groups.includes(superuserGroup),
    entries,
  };
}

/** Which of the binding's subjects the identity is: each subject is matched as RBAC matches it. */
function matchedSubject(binding: Binding, identity: { user: string; groups: readonly string[] }): string {
  const matched = (binding.subjects ?? []).flatMap((subject) => {
    const resolved = resolveSubject(subject, binding);
    if (!resolved) return [];
    switch (resolved.kind) {
      case 'User':
        return resolved.name === identity.user ? [`User ${resolved.name}`] : [];
      case 'Group':
        return identity.groups.includes(resolved.name) ? [`Group ${resolved.name}`] : [];
      case 'ServiceAccount':
        return `system:serviceaccount:${resolved.namespace}:${resolved.name}` === identity.user
          ? [`ServiceAccount ${resolved.namespace}/${resolved.name}`]
          : [];
      default: {
        const unreachable: never = resolved.kind;
        return unreachable;
      }
    }
  });
  return [...new Set(matched)].join(', ');
}
