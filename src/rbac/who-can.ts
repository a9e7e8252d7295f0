import { type RbacIndex, type ResolvedSubject, resolveSubject, superuserGroup } from './rbac-index.js';
import { ruleAllowsNonResource, ruleAllowsResource } from './rules.js';
import type {
  Binding,
  ClusterRole,
  NonResourceAttributes,
  PolicyRule,
  ResourceAttributes,
  Role,
} from './types.js';

/** The path that grants a subject an access: binding → role → rule, or the superuser group. */
export interface GrantPath {
  readonly subject: ResolvedSubject;
  /** Where it applies: a namespace, or undefined for cluster-wide. */
  readonly namespace: string | undefined;
  readonly via: 'rbac' | 'superuser';
  readonly binding?: { readonly kind: Binding['kind']; readonly name: string; readonly namespace?: string };
  readonly role?: {
    readonly kind: 'Role' | 'ClusterRole';
    readonly name: string;
    readonly namespace?: string;
  };
  readonly rule?: PolicyRule;
}

export type WhoCanQuery =
  | { readonly kind: 'resource'; readonly attributes: ResourceAttributes; readonly allNamespaces?: boolean }
  | { readonly kind: 'non-resource'; readonly attributes: NonResourceAttributes };

/**
 * Every subject that may perform the request, each with the path that grants it. Roles are
 * checked once each and bindings found through the role index, so the cost grows with the number
 * of roles, not bindings. With `allNamespaces`, RoleBindings of every namespace count and each
 * grant names its namespace.
 *
 * @example
 * whoCan(index, { kind: 'resource', attributes: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'prod' } });
 */
export function whoCan(index: RbacIndex, query: WhoCanQuery): GrantPath[] {
  const grants: GrantPath[] = [
    { subject: { kind: 'Group', name: superuserGroup }, namespace: undefined, via: 'superuser' },
  ];
  const allows = (rule: PolicyRule) =>
    query.kind === 'resource'
      ? ruleAllowsResource(rule, query.attributes)
      : ruleAllowsNonResource(rule, query.attributes);
  const namespace = query.kind === 'resource' ? (query.attributes.namespace ?? '') : '';
  const allNamespaces = query.kind === 'resource' && query.allNamespaces === true;
  for (const role of index.clusterRoles.values()) {
    const rule = role.rules?.find(allows);
    if (!rule) continue;
    for (const { binding } of index.bindingsOf('ClusterRole', role.metadata.name)) {
      if (query.kind === 'non-resource' && binding.kind === 'RoleBinding') continue;
      if (binding.kind === 'RoleBinding' && !allNamespaces && binding.metadata.namespace !== namespace)
        continue;
      grants.push(...pathsFor(binding, role, rule));
    }
  }
  if (query.kind === 'resource') {
    for (const role of index.roles.values()) {
      if (!allNamespaces && role.metadata.namespace !== namespace) continue;
      const rule = role.rules?.find(allows);
      if (!rule) continue;
      for (const { binding } of index.bindingsOf('Role', role.metadata.name, role.metadata.namespace)) {
        grants.push(...pathsFor(binding, role, rule));
      }
    }
  }
  return grants;
}

function pathsFor(binding: Binding, role: Role | ClusterRole, rule: PolicyRule): GrantPath[] {
  const bindingNamespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
  return (binding.subjects ?? []).flatMap((subject) => {
    const resolved = resolveSubject(subject, binding);
    if (!resolved) return [];
    return [
      {
        subject: resolved,
        namespace: bindingNamespace,
        via: 'rbac' as const,
        binding: {
          kind: binding.kind,
          name: binding.metadata.name,
          ...(bindingNamespace ? { namespace: bindingNamespace } : {}),
        },
        role: {
          kind: role.kind,
          name: role.metadata.name,
          ...(role.kind === 'Role' && role.metadata.namespace ? { namespace: role.metadata.namespace } : {}),
        },
        rule,
      },
    ];
  });
}
