import { createHash } from 'node:crypto';
import { AppError, isAppError } from '../errors.js';
import { type KubeClient, listAll } from '../kube/index.js';
import type { Subject } from '../rbac/index.js';

export const managedBy = { 'app.kubernetes.io/managed-by': 'gatehouse' } as const;
const rbacApi = '/apis/rbac.authorization.k8s.io/v1';

/** One access to hold: a role for a subject, cluster-wide or in one namespace. */
export interface AccessGrant {
  readonly subject: Subject;
  readonly roleRef: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string };
  /** Namespace of the RoleBinding; undefined means a ClusterRoleBinding (ClusterRole only). */
  readonly namespace: string | undefined;
}

/** Why a binding exists: the requests that hold it, and until when. */
export interface GrantReason {
  readonly requestIds: readonly string[];
  readonly expiresAt: string;
  /**
   * The binding most likely does not exist yet (a request just approved): create it straight
   * away, one round trip instead of two, and fall back to reading it when it does exist.
   */
  readonly likelyNew?: boolean;
}

/** The identity of an access, so overlapping requests for the same access share one binding. */
export function grantKey(grant: AccessGrant): string {
  const subject =
    grant.subject.kind === 'ServiceAccount'
      ? `${grant.subject.kind}:${grant.subject.namespace ?? grant.namespace}:${grant.subject.name}`
      : `${grant.subject.kind}:${grant.subject.name}`;
  return `${grant.namespace ?? '*'}|${grant.roleRef.kind}:${grant.roleRef.name}|${subject}`;
}

export function bindingName(grant: AccessGrant): string {
  return `gatehouse-${createHash('sha256').update(grantKey(grant)).digest('hex').slice(0, 16)}`;
}

function bindingPath(grant: AccessGrant, name?: string): string {
  const collection = grant.namespace
    ? `${rbacApi}/namespaces/${encodeURIComponent(grant.namespace)}/rolebindings`
    : `${rbacApi}/clusterrolebindings`;
  return name ? `${collection}/${name}` : collection;
}

function validate(grant: AccessGrant): void {
  if (!grant.namespace && grant.roleRef.kind === 'Role') {
    throw new AppError('input.invalid', `Role ${grant.roleRef.name} can only be granted in a namespace`, {
      fix: 'Give a namespace, or grant a ClusterRole',
    });
  }
}

interface BindingObject {
  readonly metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
}

/**
 * Creates or updates the binding that holds an access. Idempotent; a binding of the same name
 * that Gatehouse does not own is never modified.
 */
export async function applyGrant(
  client: KubeClient,
  grant: AccessGrant,
  reason: GrantReason,
): Promise<'created' | 'updated' | 'unchanged'> {
  validate(grant);
  const name = bindingName(grant);
  const annotations = {
    'gatehouse.dev/grant-key': grantKey(grant),
    'gatehouse.dev/request-ids': [...reason.requestIds].sort().join(','),
    'gatehouse.dev/expires-at': reason.expiresAt,
  };
  const body = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: grant.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: {
      name,
      ...(grant.namespace ? { namespace: grant.namespace } : {}),
      labels: { ...managedBy },
      annotations,
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...grant.roleRef },
    subjects: [
      grant.subject.kind === 'ServiceAccount'
        ? {
            kind: 'ServiceAccount',
            name: grant.subject.name,
            namespace: grant.subject.namespace ?? grant.namespace,
          }
        : { kind: grant.subject.kind, name: grant.subject.name, apiGroup: 'rbac.authorization.k8s.io' },
    ],
  };
  if (reason.likelyNew) {
    const created = await client
      .request({ method: 'POST', path: bindingPath(grant), body })
      .then(() => true)
      .catch((error: unknown) => {
        if (isAppError(error) && error.code === 'conflict') return false;
        throw error;
      });
    if (created) return 'created';
  }
  const existing = await getBinding(client, grant, name);
  if (!existing) {
    await client.request({ method: 'POST', path: bindingPath(grant), body });
    return 'created';
  }
  assertOwned(existing, grant);
  const current = existing.metadata.annotations ?? {};
  if (Object.entries(annotations).every(([key, value]) => current[key] === value)) return 'unchanged';
  await client.request({
    method: 'PATCH',
    path: bindingPath(grant, name),
    patchType: 'merge',
    body: { metadata: { annotations } },
  });
  return 'updated';
}

/** Deletes a binding; false when it was already gone. */
async function deleteBinding(
  client: KubeClient,
  namespace: string | undefined,
  name: string,
): Promise<boolean> {
  const path = namespace
    ? `${rbacApi}/namespaces/${encodeURIComponent(namespace)}/rolebindings/${name}`
    : `${rbacApi}/clusterrolebindings/${name}`;
  return await client.request({ method: 'DELETE', path }).then(
    () => true,
    (error: unknown) => {
      if (isAppError(error) && error.code === 'not-found') return false;
      throw error;
    },
  );
}

function assertOwned(binding: BindingObject, grant: AccessGrant): void {
  if (
    binding.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'gatehouse' ||
    binding.metadata.annotations?.['gatehouse.dev/grant-key'] !== grantKey(grant)
  ) {
    throw new AppError(
      'conflict',
      `binding ${binding.metadata.namespace ? `${binding.metadata.namespace}/` : ''}${binding.metadata.name} exists but is not Gatehouse's`,
      {
        fix: 'Gatehouse never edits bindings it does not own; rename or remove that binding',
      },
    );
  }
}

async function getBinding(
  client: KubeClient,
  grant: AccessGrant,
  name: string,
): Promise<BindingObject | undefined> {
  try {
    return await client.request<BindingObject>({ path: bindingPath(grant, name) });
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found') return undefined;
    throw error;
  }
}

export interface OwnedBinding {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly namespace: string | undefined;
  readonly name: string;
  readonly grantKey: string;
  readonly requestIds: readonly string[];
}

/** Every binding Gatehouse owns in the cluster (label managed-by=gatehouse). */
export async function listOwnedBindings(client: KubeClient): Promise<OwnedBinding[]> {
  const labelSelector = 'app.kubernetes.io/managed-by=gatehouse';
  const [roleBindings, clusterRoleBindings] = await Promise.all([
    listAll<BindingObject>(client, { path: `${rbacApi}/rolebindings`, labelSelector }),
    listAll<BindingObject>(client, { path: `${rbacApi}/clusterrolebindings`, labelSelector }),
  ]);
  const owned = (kind: OwnedBinding['kind'], items: BindingObject[]) =>
    items
      .filter((item) => item.metadata.annotations?.['gatehouse.dev/grant-key'])
      .map((item) => ({
        kind,
        namespace: item.metadata.namespace,
        name: item.metadata.name,
        grantKey: item.metadata.annotations?.['gatehouse.dev/grant-key'] ?? '',
        requestIds: (item.metadata.annotations?.['gatehouse.dev/request-ids'] ?? '')
          .split(',')
          .filter(Boolean),
      }));
  return [
    ...owned('RoleBinding', roleBindings.items),
    ...owned('ClusterRoleBinding', clusterRoleBindings.items),
  ];
}

/**
 * Removes the binding of a grant when Gatehouse owns it, read and deleted as one version (a
 * binding replaced in between is left alone). `absent` when there is none.
 */
export async function removeGrant(client: KubeClient, grant: AccessGrant): Promise<'removed' | 'absent'> {
  const name = bindingName(grant);
  const existing = await getBinding(client, grant, name);
  if (!existing) return 'absent';
  assertOwned(existing, grant);
  return await client
    .request({
      method: 'DELETE',
      path: bindingPath(grant, name),
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { resourceVersion: existing.metadata.resourceVersion },
      },
    })
    .then(
      () => 'removed' as const,
      (error: unknown) => {
        if (isAppError(error) && error.code === 'not-found') return 'absent' as const;
        throw error;
      },
    );
}

/** Removes an owned binding found by listOwnedBindings; false when it was gone already. */
export async function removeOwnedBinding(client: KubeClient, binding: OwnedBinding): Promise<boolean> {
  return await deleteBinding(client, binding.namespace, binding.name);
}
