import { describeError, isAppError } from '../errors.js';
import { userSource } from '../inventory/index.js';
import type { RbacIndex } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { GrantSubject, PermissionLine } from './grant-preview-shape.js';
import type { AccessRequest } from './requests.js';

/**
 * The identity the cluster would see using the grant: the requester with their groups (as
 * Gatehouse knows them) and `system:authenticated`, or the ServiceAccount with its groups.
 */
export function identityOf(
  request: AccessRequest,
  subject: GrantSubject,
): { user: string; groups: string[] } {
  if (subject.kind === 'User')
    return { user: subject.name, groups: [...request.requesterGroups, 'system:authenticated'] };
  return {
    user: `system:serviceaccount:${subject.namespace}:${subject.name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'],
  };
}

/** What the subject already holds, or why that is not known: a value either way. */
export type HeldStatus =
  | { readonly status: 'computed'; readonly source: string }
  | { readonly status: 'not-computed'; readonly reason: string };

/**
 * The identity's current grants from the latest RBAC sync of the cluster, read by subject (cheap:
 * no cluster call, no whole snapshot). No sync, or one that cannot be read, is not computed.
 */
export async function heldIndex(
  store: Store,
  cluster: string,
  identity: { user: string; groups: readonly string[] },
): Promise<{ index: RbacIndex | undefined; status: HeldStatus }> {
  try {
    const source = await userSource(store, cluster, { name: identity.user, groups: identity.groups });
    const incomplete =
      source.warnings.length > 0 ? ` (incomplete: ${source.warnings.length} collection(s) not read)` : '';
    return { index: source.index, status: { status: 'computed', source: `${source.label}${incomplete}` } };
  } catch (error) {
    const reason = isAppError(error) && error.code === 'not-found' ? error.message : describeError(error);
    return { index: undefined, status: { status: 'not-computed', reason } };
  }
}

/** Whether the index already allows every verb of the line (every named object, if it names any). */
export function holds(
  index: RbacIndex,
  identity: { user: string; groups: readonly string[] },
  line: PermissionLine,
): boolean {
  const { user, groups } = identity;
  const names = line.resourceNames.length > 0 ? line.resourceNames : [undefined];
  return line.verbs.every((verb) =>
    names.every((name) => {
      if (line.resource.startsWith('/'))
        return index.authorize({ user, groups, nonResourceAttributes: { path: line.resource, verb } })
          .allowed;
      const [resourcePart, ...groupParts] = line.resource.split('.');
      const [resource, subresource] = (resourcePart ?? '').split('/');
      return index.authorize({
        user,
        groups,
        resourceAttributes: {
          verb,
          resource: resource ?? '',
          group: groupParts.join('.'),
          ...(subresource ? { subresource } : {}),
          ...(line.namespace ? { namespace: line.namespace } : {}),
          ...(name ? { name } : {}),
        },
      }).allowed;
    }),
  );
}
