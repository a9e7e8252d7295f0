import { isAppError, messageOf } from '../errors.js';
import { type KubeClient, listAll } from '../kube/index.js';
import type {
  AccessEntry,
  AuthenticationMode,
  ClusterRole,
  ClusterRoleBinding,
  ObjectMeta,
  Role,
  RoleBinding,
} from '../rbac/index.js';

export interface NamespaceObject {
  readonly metadata: ObjectMeta;
}

export interface ServiceAccountObject {
  readonly metadata: ObjectMeta;
}

/** A pod as far as governance cares: where it runs and as which service account. */
export interface PodObject {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly serviceAccountName?: string };
}

export interface ConfigMapObject {
  readonly metadata: ObjectMeta;
  readonly data?: Readonly<Record<string, string>>;
}

/** What one read of a cluster returned, and what it could not read. */
export interface ClusterRead {
  readonly namespaces: NamespaceObject[];
  readonly serviceAccounts: ServiceAccountObject[];
  /** Pods and their service accounts; absent from runs made before pods were read, and from manifests. */
  readonly pods?: PodObject[];
  readonly roles: Role[];
  readonly clusterRoles: ClusterRole[];
  readonly roleBindings: RoleBinding[];
  readonly clusterRoleBindings: ClusterRoleBinding[];
  /** kube-system/aws-auth, when the cluster has one (EKS). */
  readonly awsAuth: ConfigMapObject | undefined;
  /** EKS access configuration, when a cloud provider port supplied it (or a manifest did). */
  readonly eks?: EksAccessConfig;
  readonly resourceVersions: Readonly<Record<string, string>>;
  readonly errors: readonly ReadError[];
}

/** EKS authentication mode and access entries with their associated access policies. */
export interface EksAccessConfig {
  readonly authenticationMode: AuthenticationMode;
  readonly accessEntries: readonly AccessEntry[];
}

/**
 * The optional port through which a cloud provider adds EKS access entries to a sync (the AWS
 * implementation belongs to the EKS provider).
 */
export interface EksAccessPort {
  accessConfig(): Promise<EksAccessConfig>;
}

export interface ReadError {
  readonly resource: string;
  readonly code: string;
  readonly message: string;
}

const rbacApi = '/apis/rbac.authorization.k8s.io/v1';

/** The collections a sync reads; each read may fail on its own (partial failure is a value). */
const collections = {
  namespaces: { path: '/api/v1/namespaces', kind: undefined, resource: 'namespaces' },
  serviceAccounts: { path: '/api/v1/serviceaccounts', kind: undefined, resource: 'serviceaccounts' },
  pods: { path: '/api/v1/pods', kind: undefined, resource: 'pods' },
  roles: { path: `${rbacApi}/roles`, kind: 'Role', resource: 'roles.rbac.authorization.k8s.io' },
  clusterRoles: {
    path: `${rbacApi}/clusterroles`,
    kind: 'ClusterRole',
    resource: 'clusterroles.rbac.authorization.k8s.io',
  },
  roleBindings: {
    path: `${rbacApi}/rolebindings`,
    kind: 'RoleBinding',
    resource: 'rolebindings.rbac.authorization.k8s.io',
  },
  clusterRoleBindings: {
    path: `${rbacApi}/clusterrolebindings`,
    kind: 'ClusterRoleBinding',
    resource: 'clusterrolebindings.rbac.authorization.k8s.io',
  },
} as const;

/** The RBAC collections: without all four, who-can answers are incomplete. */
export const rbacResources: ReadonlySet<string> = new Set([
  collections.roles.resource,
  collections.clusterRoles.resource,
  collections.roleBindings.resource,
  collections.clusterRoleBindings.resource,
]);

type CollectionName = keyof typeof collections;

/**
 * Reads identities and RBAC of a cluster, paged and with retries. Lists run in parallel; one that
 * is forbidden or fails is reported in `errors` and the rest is still returned.
 */
export async function readCluster(
  client: KubeClient,
  options: { pageSize?: number; eks?: EksAccessPort } = {},
): Promise<ClusterRead> {
  const errors: ReadError[] = [];
  const resourceVersions: Record<string, string> = {};
  const read = async <T>(name: CollectionName): Promise<T[]> => {
    const { path, kind, resource } = collections[name];
    try {
      const result = await listAll<T>(client, {
        path,
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      });
      resourceVersions[name] = result.resourceVersion;
      // Items of a list carry no kind, and the API omits empty rules; the engine needs both.
      if (!kind) return result.items;
      return result.items.map((item) => {
        const object: Record<string, unknown> = { ...(item as Record<string, unknown>), kind };
        if (kind === 'Role' || kind === 'ClusterRole') object.rules ??= [];
        return object as T;
      });
    } catch (error) {
      errors.push(readError(resource, error));
      return [];
    }
  };
  const [namespaces, serviceAccounts, pods, roles, clusterRoles, roleBindings, clusterRoleBindings, awsAuth] =
    await Promise.all([
      read<NamespaceObject>('namespaces'),
      read<ServiceAccountObject>('serviceAccounts'),
      read<PodObject>('pods').then((items) => items.map(podIdentity)),
      read<Role>('roles'),
      read<ClusterRole>('clusterRoles'),
      read<RoleBinding>('roleBindings'),
      read<ClusterRoleBinding>('clusterRoleBindings'),
      readAwsAuth(client, errors),
    ]);
  const eks = options.eks ? await readEks(options.eks, errors) : undefined;
  const podsRead = !errors.some((error) => error.resource === collections.pods.resource);
  return {
    namespaces,
    serviceAccounts,
    ...(podsRead ? { pods } : {}),
    roles,
    clusterRoles,
    roleBindings,
    clusterRoleBindings,
    awsAuth,
    ...(eks ? { eks } : {}),
    resourceVersions,
    errors,
  };
}

/** Only what the governance pages show: a pod spec is large, and a sync may read thousands. */
function podIdentity(pod: PodObject): PodObject {
  return {
    metadata: {
      name: pod.metadata.name,
      ...(pod.metadata.namespace ? { namespace: pod.metadata.namespace } : {}),
    },
    spec: { serviceAccountName: pod.spec?.serviceAccountName ?? 'default' },
  };
}

async function readAwsAuth(client: KubeClient, errors: ReadError[]): Promise<ConfigMapObject | undefined> {
  try {
    return await client.request<ConfigMapObject>({
      path: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
    });
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found') return undefined;
    errors.push(readError('configmaps/kube-system/aws-auth', error));
    return undefined;
  }
}

async function readEks(port: EksAccessPort, errors: ReadError[]): Promise<EksAccessConfig | undefined> {
  try {
    return await port.accessConfig();
  } catch (error) {
    errors.push(readError('eks access entries', error));
    return undefined;
  }
}

function readError(resource: string, error: unknown): ReadError {
  if (isAppError(error)) return { resource, code: error.code, message: error.describe() };
  return { resource, code: 'internal', message: messageOf(error) };
}
