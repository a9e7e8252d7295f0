import { ruleAllowsNonResource, ruleAllowsResource } from './rules.js';
import type {
  AccessDecision,
  AccessRequest,
  Binding,
  ClusterRole,
  PolicyRule,
  RbacSnapshot,
  Role,
  RoleBinding,
  Subject,
} from './types.js';

/** The group the apiserver authorizes for everything, ahead of RBAC. */
export const superuserGroup = 'system:masters';

const serviceAccountPrefix = 'system:serviceaccount:';

/** A binding's subject with its service-account namespace resolved, as RBAC matches it. */
export interface ResolvedSubject {
  readonly kind: Subject['kind'];
  readonly name: string;
  /** Service accounts only: the subject's namespace, or the RoleBinding's when omitted. */
  readonly namespace?: string;
}

/** Something in the snapshot that grants nothing although it looks like it should. */
export interface RbacProblem {
  readonly kind: 'missing-role' | 'service-account-without-namespace' | 'empty-rule';
  readonly binding?: string;
  readonly role?: string;
  readonly message: string;
}

interface IndexedBinding {
  readonly binding: Binding;
  /** Rules of the referenced role; empty when the role is missing. */
  readonly rules: readonly PolicyRule[];
  readonly roleExists: boolean;
}

export function subjectKey(subject: ResolvedSubject): string {
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount:${subject.namespace}:${subject.name}`
    : `${subject.kind}:${subject.name}`;
}

export function bindingLabel(binding: Binding): string {
  return binding.kind === 'RoleBinding'
    ? `RoleBinding "${binding.metadata.namespace}/${binding.metadata.name}"`
    : `ClusterRoleBinding "${binding.metadata.name}"`;
}

/**
 * An index over one RBAC snapshot that answers access questions exactly as the Kubernetes RBAC
 * authorizer (plus the system:masters superuser group) would, without scanning every binding:
 * bindings are indexed by subject for can-i and by role for who-can.
 */
export class RbacIndex {
  readonly snapshot: RbacSnapshot;
  readonly problems: readonly RbacProblem[];
  /** Built on the first subject question: who-can, which asks by role, never needs it. */
  #bySubject: Map<string, IndexedBinding[]> | undefined;
  readonly #byRole = new Map<string, IndexedBinding[]>();
  readonly #entries: IndexedBinding[] = [];
  readonly #roles = new Map<string, Role>();
  readonly #clusterRoles = new Map<string, ClusterRole>();

  constructor(snapshot: RbacSnapshot) {
    this.snapshot = snapshot;
    for (const role of snapshot.roles)
      this.#roles.set(`${role.metadata.namespace}/${role.metadata.name}`, role);
    for (const role of snapshot.clusterRoles) this.#clusterRoles.set(role.metadata.name, role);
    const problems: RbacProblem[] = [];
    for (const binding of [...snapshot.clusterRoleBindings, ...snapshot.roleBindings])
      this.#indexBinding(binding, problems);
    this.problems = problems;
  }

  #indexBinding(binding: Binding, problems: RbacProblem[]): void {
    const role = this.roleFor(binding);
    if (!role) {
      problems.push({
        kind: 'missing-role',
        binding: bindingLabel(binding),
        role: `${binding.roleRef.kind} "${binding.roleRef.name}"`,
        message: `${bindingLabel(binding)} refers to ${binding.roleRef.kind} "${binding.roleRef.name}", which does not exist: it grants nothing`,
      });
    }
    const entry: IndexedBinding = { binding, rules: role?.rules ?? [], roleExists: role !== undefined };
    push(this.#byRole, roleKey(binding), entry);
    this.#entries.push(entry);
    for (const subject of binding.subjects ?? []) {
      if (resolveSubject(subject, binding)) continue;
      problems.push({
        kind: 'service-account-without-namespace',
        binding: bindingLabel(binding),
        message: `${bindingLabel(binding)} names ServiceAccount "${subject.name}" without a namespace: in a ClusterRoleBinding that matches nobody`,
      });
    }
  }

  /** Bindings by the subjects they name, in the order bindings were indexed (ClusterRoleBindings first). */
  #subjects(): Map<string, IndexedBinding[]> {
    if (this.#bySubject) return this.#bySubject;
    const bySubject = new Map<string, IndexedBinding[]>();
    for (const entry of this.#entries)
      for (const subject of entry.binding.subjects ?? []) {
        const resolved = resolveSubject(subject, entry.binding);
        if (resolved) push(bySubject, subjectKey(resolved), entry);
      }
    this.#bySubject = bySubject;
    return bySubject;
  }

  /** The Role or ClusterRole a binding refers to, if it exists. */
  roleFor(binding: Binding): Role | ClusterRole | undefined {
    if (binding.roleRef.kind === 'ClusterRole') return this.#clusterRoles.get(binding.roleRef.name);
    if (binding.kind !== 'RoleBinding') return undefined;
    return this.#roles.get(`${binding.metadata.namespace}/${binding.roleRef.name}`);
  }

  /** Bindings that could apply to this user (by name, groups, and service-account identity). */
  bindingsFor(user: string, groups: readonly string[]): IndexedBinding[] {
    const seen = new Set<IndexedBinding>();
    for (const key of subjectKeysFor(user, groups))
      for (const entry of this.#subjects().get(key) ?? []) seen.add(entry);
    return [...seen];
  }

  /** Bindings that refer to a role, for who-can. */
  bindingsOf(kind: 'Role' | 'ClusterRole', name: string, namespace?: string): readonly IndexedBinding[] {
    return (
      this.#byRole.get(kind === 'ClusterRole' ? `ClusterRole:${name}` : `Role:${namespace}/${name}`) ?? []
    );
  }

  get roles(): ReadonlyMap<string, Role> {
    return this.#roles;
  }

  get clusterRoles(): ReadonlyMap<string, ClusterRole> {
    return this.#clusterRoles;
  }

  /**
   * Answers a SubjectAccessReview spec: the user and groups exactly as given (no implicit groups),
   * resource or non-resource attributes.
   */
  authorize(request: AccessRequest): AccessDecision {
    const groups = request.groups ?? [];
    if (groups.includes(superuserGroup))
      return { allowed: true, reason: `member of the ${superuserGroup} group (superuser)` };
    const candidates = this.bindingsFor(request.user, groups);
    const resource = request.resourceAttributes;
    const namespace = resource?.namespace ?? '';
    // The apiserver visits ClusterRoleBindings first, then RoleBindings of the request's namespace.
    const ordered = [
      ...candidates.filter((entry) => entry.binding.kind === 'ClusterRoleBinding'),
      ...candidates.filter((entry) => appliesInNamespace(entry.binding, namespace)),
    ];
    for (const entry of ordered) {
      const allows = resource
        ? entry.rules.some((rule) => ruleAllowsResource(rule, resource))
        : request.nonResourceAttributes
          ? entry.rules.some((rule) => ruleAllowsNonResource(rule, request.nonResourceAttributes!))
          : false;
      if (allows) {
        return {
          allowed: true,
          reason: `RBAC: allowed by ${bindingLabel(entry.binding)} of ${entry.binding.roleRef.kind} "${entry.binding.roleRef.name}"`,
        };
      }
    }
    return { allowed: false, reason: 'no RBAC binding allows it' };
  }
}

/** The subject keys a binding may name to apply to this user: the name, groups, service account. */
export function subjectKeysFor(user: string, groups: readonly string[]): string[] {
  const keys = [`User:${user}`, ...groups.map((group) => `Group:${group}`)];
  for (const account of serviceAccountCandidates(user))
    keys.push(`ServiceAccount:${account.namespace}:${account.name}`);
  return keys;
}

/** RoleBindings apply only to requests in their own namespace (never to cluster-wide ones). */
export function appliesInNamespace(binding: Binding, namespace: string): boolean {
  return binding.kind === 'RoleBinding' && namespace !== '' && binding.metadata.namespace === namespace;
}

/** How the engine keys the role a binding refers to: `ClusterRole:NAME` or `Role:NS/NAME`. */
export function roleKey(binding: Binding): string {
  return binding.roleRef.kind === 'ClusterRole'
    ? `ClusterRole:${binding.roleRef.name}`
    : `Role:${binding.metadata.namespace}/${binding.roleRef.name}`;
}

/**
 * A ServiceAccount subject without a namespace takes the RoleBinding's; in a ClusterRoleBinding it
 * matches nobody (returns undefined).
 */
export function resolveSubject(subject: Subject, binding: Binding): ResolvedSubject | undefined {
  if (subject.kind !== 'ServiceAccount') return { kind: subject.kind, name: subject.name };
  const namespace =
    subject.namespace ||
    (binding.kind === 'RoleBinding' ? (binding as RoleBinding).metadata.namespace : undefined);
  if (!namespace) return undefined;
  return { kind: 'ServiceAccount', name: subject.name, namespace };
}

export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  const candidates = serviceAccountCandidates(user);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Every (namespace, name) whose service-account username equals `user`. RBAC compares strings
 * (serviceaccount.MatchesUsername), so a name with extra colons splits more than one way.
 */
export function serviceAccountCandidates(user: string): { namespace: string; name: string }[] {
  if (!user.startsWith(serviceAccountPrefix)) return [];
  const rest = user.slice(serviceAccountPrefix.length);
  const candidates: { namespace: string; name: string }[] = [];
  for (let index = rest.indexOf(':'); index !== -1; index = rest.indexOf(':', index + 1)) {
    candidates.push({ namespace: rest.slice(0, index), name: rest.slice(index + 1) });
  }
  return candidates;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
