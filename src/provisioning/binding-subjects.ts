import { AppError, isAppError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import { managedBy } from './bindings.js';

const rbacApi = '/apis/rbac.authorization.k8s.io/v1';

/** A binding as a review names it. */
export interface BindingRef {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly name: string;
  /** RoleBindings only. */
  readonly namespace?: string;
  /** The role the binding must still refer to: a binding recreated for another role is not touched. */
  readonly roleRef: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string };
}

/** A subject as RBAC resolves it (a ServiceAccount's namespace filled in). */
export interface BoundSubject {
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  readonly name: string;
  readonly namespace?: string;
}

export type SubjectRemoval =
  | { readonly kind: 'deleted'; readonly change: string }
  | { readonly kind: 'updated'; readonly change: string }
  | { readonly kind: 'absent'; readonly change: string };

interface BindingObject {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  [key: string]: unknown;
}

function pathOf(ref: BindingRef): string {
  return ref.kind === 'RoleBinding'
    ? `${rbacApi}/namespaces/${encodeURIComponent(ref.namespace ?? '')}/rolebindings/${encodeURIComponent(ref.name)}`
    : `${rbacApi}/clusterrolebindings/${encodeURIComponent(ref.name)}`;
}

const labelOf = (ref: BindingRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
const subjectText = (subject: BoundSubject) =>
  `${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}`;

function sameSubject(
  entry: { kind: string; name: string; namespace?: string },
  subject: BoundSubject,
  ref: BindingRef,
): boolean {
  if (entry.kind !== subject.kind || entry.name !== subject.name) return false;
  if (subject.kind !== 'ServiceAccount') return true;
  return (entry.namespace || ref.namespace) === subject.namespace;
}

/**
 * Takes one subject's access through a binding away: a binding Gatehouse owns, or one left with no
 * subject, is deleted; any other binding is updated without the subject. Both are conditional on
 * the version read (resourceVersion), so a binding changed in between fails with a conflict instead
 * of losing the other change. With `dryRun` the apiserver validates the change and stores nothing.
 */
export async function removeSubjectFromBinding(
  client: KubeClient,
  ref: BindingRef,
  subject: BoundSubject,
  options: { readonly dryRun?: boolean } = {},
): Promise<SubjectRemoval> {
  const binding = await client.request<BindingObject>({ path: pathOf(ref) }).catch((error: unknown) => {
    if (isAppError(error) && error.code === 'not-found') return undefined;
    throw error;
  });
  if (!binding) return { kind: 'absent', change: `${labelOf(ref)} is already gone` };
  if (binding.roleRef.kind !== ref.roleRef.kind || binding.roleRef.name !== ref.roleRef.name)
    throw new AppError(
      'conflict',
      `${labelOf(ref)} now refers to ${binding.roleRef.kind} ${binding.roleRef.name}, not ${ref.roleRef.kind} ${ref.roleRef.name}`,
      {
        fix: 'The binding was replaced after the review snapshot; review it again in a new campaign',
      },
    );
  const subjects = binding.subjects ?? [];
  const remaining = subjects.filter((entry) => !sameSubject(entry, subject, ref));
  if (remaining.length === subjects.length)
    return { kind: 'absent', change: `${labelOf(ref)} no longer names ${subjectText(subject)}` };
  const query = options.dryRun ? { dryRun: 'All' } : {};
  const owned =
    binding.metadata.labels?.['app.kubernetes.io/managed-by'] === managedBy['app.kubernetes.io/managed-by'];
  const requests = owned ? (binding.metadata.annotations?.['gatehouse.dev/request-ids'] ?? '') : '';
  if (requests)
    // The reconciler would put the binding back while the request lasts: the request is what to end.
    throw new AppError('conflict', `${labelOf(ref)} holds Gatehouse access request(s) ${requests}`, {
      fix: `End the access through its request (gatehouse access revoke ${requests.split(',')[0]}), then decide again`,
    });
  if (owned || remaining.length === 0) {
    await client.request({
      method: 'DELETE',
      path: pathOf(ref),
      query,
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { resourceVersion: binding.metadata.resourceVersion },
      },
    });
    const why = owned ? 'Gatehouse owns it' : `${subjectText(subject)} was its only subject`;
    return { kind: 'deleted', change: `delete ${labelOf(ref)} (${why})` };
  }
  await client.request({
    method: 'PUT',
    path: pathOf(ref),
    query,
    body: { ...binding, subjects: remaining },
  });
  return {
    kind: 'updated',
    change: `remove ${subjectText(subject)} from ${labelOf(ref)} (${remaining.length} other subject${remaining.length === 1 ? ' keeps' : 's keep'} it)`,
  };
}
