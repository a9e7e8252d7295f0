import { AppError, isAppError, withContext } from '../errors.js';
import { type KubeClient, listAll } from '../kube/index.js';
import { aggregateClusterRoles, type ClusterRole, type Role } from '../rbac/index.js';
import type { AccessRequest } from './requests.js';

const rbacApi = '/apis/rbac.authorization.k8s.io/v1';

/** The role as the cluster holds it; an aggregated ClusterRole's rules recomputed from its sources. */
export async function readRole(
  client: KubeClient,
  request: AccessRequest,
): Promise<{ role: Role | ClusterRole; aggregated: boolean }> {
  const name = encodeURIComponent(request.role.name);
  if (request.role.kind === 'Role') {
    const path = `${rbacApi}/namespaces/${encodeURIComponent(request.namespace ?? '')}/roles/${name}`;
    const role = await readNamed<Role>(
      client,
      path,
      `Role ${request.role.name} in namespace ${request.namespace}`,
      request,
    );
    return { role: { ...role, kind: 'Role', rules: role.rules ?? [] }, aggregated: false };
  }
  const role = await readNamed<ClusterRole>(
    client,
    `${rbacApi}/clusterroles/${name}`,
    `ClusterRole ${request.role.name}`,
    request,
  );
  const read: ClusterRole = { ...role, kind: 'ClusterRole', rules: role.rules ?? [] };
  if (!read.aggregationRule?.clusterRoleSelectors) return { role: read, aggregated: false };
  // The aggregation controller may not have caught up with a new or relabelled source role.
  const all = await listAll<ClusterRole>(client, { path: `${rbacApi}/clusterroles` });
  const roles = all.items.map((item) => ({ ...item, kind: 'ClusterRole' as const, rules: item.rules ?? [] }));
  const computed = aggregateClusterRoles(roles).find(
    (candidate) => candidate.metadata.name === read.metadata.name,
  );
  return { role: computed ?? read, aggregated: true };
}

async function readNamed<T>(
  client: KubeClient,
  path: string,
  what: string,
  request: AccessRequest,
): Promise<T> {
  try {
    return await client.request<T>({ path });
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found')
      throw new AppError(
        'not-found',
        `${what} does not exist in cluster ${request.cluster}: the grant would allow nothing`,
        {
          fix: 'Create the role before approving, or deny the request',
          cause: error,
        },
      );
    throw withContext(error, `reading ${what} in cluster ${request.cluster}`);
  }
}
