import { checkProjects } from './provider.js';

/** What Gatehouse does with GKE, each needing a different slice of Google Cloud IAM. */
export type GcpPurpose = 'forensics' | 'inventory' | 'access';

/** The least-privilege Google Cloud IAM for one purpose in one project. */
export interface GcpRolesDocument {
  readonly project: string;
  readonly for: GcpPurpose;
  /** The predefined role to bind when a custom role is not wanted; broader than the custom one. */
  readonly predefinedRoles: readonly { readonly role: string; readonly why: string }[];
  /** The tighter custom role: exactly the permissions Gatehouse calls, each with its reason. */
  readonly customRole: {
    readonly roleId: string;
    readonly title: string;
    readonly description: string;
    readonly stage: 'GA';
    readonly includedPermissions: readonly string[];
  };
  readonly why: Readonly<Record<string, string>>;
  /** gcloud commands that create the custom role and bind it to `member`. */
  readonly commands: readonly string[];
  readonly notes: readonly string[];
}

const permissionReasons: Record<string, string> = {
  'container.clusters.list': 'find the clusters of the project (gatehouse clusters list)',
  'container.clusters.get': 'read endpoint, CA certificate, endpoint access and auth settings of a cluster',
};

// Gatehouse connects to the control plane's IP endpoint, which needs no Google Cloud permission
// beyond get (what it may do there is RBAC). container.clusters.connect guards only the
// DNS-based endpoint, which Gatehouse does not use, so no purpose asks for it.
const clusterReads = ['container.clusters.list', 'container.clusters.get'];

const purposes: Record<
  GcpPurpose,
  { title: string; description: string; permissions: string[]; note?: string }
> = {
  inventory: {
    title: 'Gatehouse inventory',
    description: 'List GKE clusters and read their configuration, to read identities and RBAC inside them',
    permissions: clusterReads,
  },
  forensics: {
    title: 'Gatehouse forensics',
    description: 'Find a GKE cluster and connect to its control plane to acquire evidence',
    permissions: clusterReads,
  },
  access: {
    title: 'Gatehouse access',
    description: 'Find a GKE cluster and connect to its control plane to manage just-in-time RBAC bindings',
    permissions: clusterReads,
    note: 'People granted just-in-time access need container.clusters.get themselves (roles/container.clusterViewer) to fetch cluster credentials with gcloud.',
  },
};

const predefined: Record<GcpPurpose, { role: string; why: string }[]> = {
  inventory: [{ role: 'roles/container.clusterViewer', why: 'list and get clusters' }],
  forensics: [{ role: 'roles/container.clusterViewer', why: 'list and get clusters' }],
  access: [{ role: 'roles/container.clusterViewer', why: 'list and get clusters' }],
};

/**
 * The Google Cloud side of Gatehouse's least privilege for one purpose: a custom role with only
 * the permissions it calls, the predefined fallback, and the gcloud lines to apply them. What
 * Gatehouse may do inside each cluster is Kubernetes RBAC, printed by `gatehouse setup rbac`.
 *
 * @example
 * const document = gcpRoles({ for: 'inventory', project: 'acme-prod' });
 * console.log(document.commands.join('\n'));
 */
export function gcpRoles(options: {
  readonly for: GcpPurpose;
  readonly project: string;
  /** `serviceAccount:…`, `user:…` or `group:…`; a placeholder service account by default. */
  readonly member?: string;
}): GcpRolesDocument {
  checkProjects([options.project]);
  const { project } = options;
  const purpose = purposes[options.for];
  const roleId = `gatehouse${options.for[0]!.toUpperCase()}${options.for.slice(1)}`;
  const member = options.member ?? `serviceAccount:gatehouse@${project}.iam.gserviceaccount.com`;
  const permissions = purpose.permissions;
  return {
    project,
    for: options.for,
    predefinedRoles: predefined[options.for],
    customRole: {
      roleId,
      title: purpose.title,
      description: purpose.description,
      stage: 'GA',
      includedPermissions: permissions,
    },
    why: Object.fromEntries(permissions.map((permission) => [permission, permissionReasons[permission]!])),
    commands: [
      `gcloud iam roles create ${roleId} --project=${project} --title="${purpose.title}" --description="${purpose.description}" --permissions=${permissions.join(',')} --stage=GA`,
      `gcloud projects add-iam-policy-binding ${project} --member=${member} --role=projects/${project}/roles/${roleId} --condition=None`,
    ],
    notes: [
      // GKE authorizes a request if either IAM or RBAC allows it, so wider GKE roles leak into clusters.
      'Do not grant roles/container.viewer, developer or admin instead: on GKE those IAM roles also grant rights inside every cluster of the project, bypassing the RBAC Gatehouse was given.',
      'In-cluster permissions come from the ClusterRole printed by `gatehouse setup rbac`, bound to this identity by its email.',
      'Bind at the project; clusters in other projects need the same role there.',
      ...(purpose.note ? [purpose.note] : []),
    ],
  };
}
