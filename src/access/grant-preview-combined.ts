import {
  type Binding,
  type ClusterRole,
  checks,
  findRisks,
  RbacIndex,
  type RbacSnapshot,
  type RiskFinding,
  type Role,
} from '../rbac/index.js';
import {
  type GrantSubject,
  hypotheticalBinding,
  type PreviewRisk,
  subjectOf,
} from './grant-preview-shape.js';

const combinationIds = new Set(
  checks.filter((check) => check.kind === 'combination').map((check) => check.id),
);

/**
 * Dangerous combinations (one identity holding every part, e.g. create and approve certificate
 * requests) that the grant completes together with what the identity already holds. Every held
 * grant is rewritten to the grant's subject, since the one identity holds them all, whether through
 * its name or a group; combinations the held grants complete without the grant are left out.
 */
export function combinedRisks(input: {
  readonly role: Role | ClusterRole;
  readonly subject: GrantSubject;
  readonly namespace: string | undefined;
  readonly held: RbacSnapshot;
}): PreviewRisk[] {
  const subjects = [subjectOf(input.subject)];
  const asSubject = <T extends Binding>(binding: T): T => ({ ...binding, subjects });
  const held: RbacSnapshot = {
    ...input.held,
    roleBindings: input.held.roleBindings.map(asSubject),
    clusterRoleBindings: input.held.clusterRoleBindings.map(asSubject),
  };
  const before = new Set(combinations(held).map((finding) => finding.check));
  const binding = hypotheticalBinding(input.role, input.subject, input.namespace);
  const { role } = input;
  const withGrant: RbacSnapshot = {
    roles:
      role.kind === 'Role' ? [...held.roles.filter((other) => !sameRole(other, role)), role] : held.roles,
    clusterRoles:
      role.kind === 'ClusterRole'
        ? [...held.clusterRoles.filter((other) => other.metadata.name !== role.metadata.name), role]
        : held.clusterRoles,
    roleBindings: binding.kind === 'RoleBinding' ? [...held.roleBindings, binding] : held.roleBindings,
    clusterRoleBindings:
      binding.kind === 'ClusterRoleBinding'
        ? [...held.clusterRoleBindings, binding]
        : held.clusterRoleBindings,
  };
  return combinations(withGrant)
    .filter((finding) => !before.has(finding.check))
    .map((finding) => ({
      check: finding.check,
      severity: finding.severity,
      title: `${finding.title}, together with access already held`,
      why: finding.path,
    }));
}

function combinations(snapshot: RbacSnapshot): RiskFinding[] {
  return findRisks(new RbacIndex(snapshot), { includeDefaults: true }).filter((finding) =>
    combinationIds.has(finding.check),
  );
}

function sameRole(a: Role, b: Role): boolean {
  return a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;
}
