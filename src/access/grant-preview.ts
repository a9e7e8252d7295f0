import { AppError, describeError, isAppError, withContext } from '../errors.js';
import { userSource } from '../inventory/index.js';
import { type KubeClient, listAll } from '../kube/index.js';
import {
  accessPolicies,
  aggregateClusterRoles,
  type ClusterRole,
  type RbacIndex,
  type Role,
} from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { accessPolicyArn } from './flows.js';
import {
  type GrantSubject,
  type PermissionLine,
  type PreviewRisk,
  previewBinding,
} from './grant-preview-shape.js';
import { grantOf } from './reconciler.js';
import type { AccessRequest } from './requests.js';

/** What a grant would add, for an approver to judge before approving. */
export interface GrantPreview {
  readonly requestId: string;
  /** Who would hold it: `User alice`, `ServiceAccount gatehouse-access/gatehouse-…`, `IAM arn:…`. */
  readonly subject: string;
  /** `ClusterRole/edit in namespace payments`, `ClusterRole/view cluster-wide`. */
  readonly access: string;
  /** True when the ClusterRole aggregates others and its rules were gathered from them. */
  readonly aggregated: boolean;
  readonly permissions: readonly PermissionLine[];
  /** The risky ones among them, most severe first. */
  readonly risks: readonly PreviewRisk[];
  /** Whether each line's `alreadyHeld` was computed, and from what. */
  readonly alreadyHeld:
    | { readonly status: 'computed'; readonly source: string }
    | { readonly status: 'not-computed'; readonly reason: string };
  /** What could not be read: the preview may be incomplete or empty because of these. */
  readonly errors: readonly string[];
}

export interface GrantPreviewOptions {
  readonly request: AccessRequest;
  /** Gatehouse's client for the request's cluster (the role's rules are read through it). */
  readonly client: () => Promise<KubeClient>;
  /** For what the subject already holds, from the latest RBAC sync of the cluster; without it, not computed. */
  readonly store?: Store;
}

/**
 * The effective permissions a request's grant would add, computed by the RBAC engine from the
 * role as the cluster holds it now (aggregation applied), scoped to the request's namespace, and
 * the risky ones among them. Read-only: nothing is created in the cluster. A role that cannot be
 * read is an error in the result, not an exception, so an approvals page still renders.
 *
 * @example
 * const preview = await grantPreview({ request, client: () => clusters.client(request.cluster), store });
 * preview.risks.filter((risk) => risk.severity === 'critical');
 */
export async function grantPreview(options: GrantPreviewOptions): Promise<GrantPreview> {
  const { request } = options;
  const access = `${request.role.kind}/${request.role.name} ${request.namespace ? `in namespace ${request.namespace}` : 'cluster-wide'}`;
  if (request.role.kind === 'AccessPolicy') return accessPolicyPreview(request, access);
  const subject = subjectOf(request);
  const base = { requestId: request.id, subject: subjectLabel(subject), access };
  let role: Role | ClusterRole;
  let aggregated = false;
  try {
    ({ role, aggregated } = await readRole(await options.client(), request));
  } catch (error) {
    const reason = 'the role could not be read';
    return {
      ...base,
      aggregated,
      permissions: [],
      risks: [],
      alreadyHeld: { status: 'not-computed', reason },
      errors: [describeError(error)],
    };
  }
  const { permissions, risks } = previewBinding({ role, subject, namespace: request.namespace });
  const held = await heldIndex(options.store, request);
  return {
    ...base,
    aggregated,
    permissions: held.index
      ? permissions.map((line) => ({ ...line, alreadyHeld: holds(held.index!, identityOf(request), line) }))
      : permissions,
    risks,
    alreadyHeld: held.status,
    errors: [],
  };
}

function subjectOf(request: AccessRequest): GrantSubject {
  const { subject } = grantOf(request);
  return subject.kind === 'ServiceAccount'
    ? { kind: 'ServiceAccount', namespace: subject.namespace ?? '', name: subject.name }
    : { kind: 'User', name: subject.name };
}

/**
 * The identity the cluster would see using the grant: the requester with their groups (as
 * Gatehouse knows them) and `system:authenticated`, or the ServiceAccount with its groups.
 */
function identityOf(request: AccessRequest): { user: string; groups: string[] } {
  const subject = subjectOf(request);
  if (subject.kind === 'User')
    return { user: subject.name, groups: [...request.requesterGroups, 'system:authenticated'] };
  return {
    user: `system:serviceaccount:${subject.namespace}:${subject.name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'],
  };
}

function subjectLabel(subject: GrantSubject): string {
  return subject.kind === 'User'
    ? `User ${subject.name}`
    : `ServiceAccount ${subject.namespace}/${subject.name}`;
}

const rbacApi = '/apis/rbac.authorization.k8s.io/v1';

/** The role as the cluster holds it; an aggregated ClusterRole's rules recomputed from its sources. */
async function readRole(
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

/** The subject's current grants from the latest sync, or why they are not known. */
async function heldIndex(
  store: Store | undefined,
  request: AccessRequest,
): Promise<{ index: RbacIndex | undefined; status: GrantPreview['alreadyHeld'] }> {
  if (!store) return { index: undefined, status: { status: 'not-computed', reason: 'no store was given' } };
  const { user, groups } = identityOf(request);
  try {
    const source = await userSource(store, request.cluster, { name: user, groups });
    const incomplete =
      source.warnings.length > 0 ? ` (incomplete: ${source.warnings.length} collection(s) not read)` : '';
    return { index: source.index, status: { status: 'computed', source: `${source.label}${incomplete}` } };
  } catch (error) {
    if (isAppError(error) && error.code === 'not-found')
      return { index: undefined, status: { status: 'not-computed', reason: error.message } };
    throw error;
  }
}

/** Whether the index already allows every verb of the line (every named object, if it names any). */
function holds(
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

/** access-entry mode: the EKS access policy's published rules, scoped as the association would be. */
function accessPolicyPreview(request: AccessRequest, access: string): GrantPreview {
  const arn = accessPolicyArn(request.role.name);
  const policy = accessPolicies.find((candidate) => candidate.arn === arn);
  const base = {
    requestId: request.id,
    subject: `IAM ${request.principalArn ?? '(no principal)'}`,
    access,
    aggregated: false,
    alreadyHeld: {
      status: 'not-computed',
      reason: 'EKS access entries are not part of the RBAC sync',
    } as const,
  };
  if (!policy)
    return {
      ...base,
      permissions: [],
      risks: [],
      errors: [`AWS publishes no rules for ${arn}: what it allows is unknown`],
    };
  const role: ClusterRole = {
    kind: 'ClusterRole',
    metadata: { name: `AccessPolicy/${policy.name}` },
    rules: policy.rules,
  };
  const { permissions, risks } = previewBinding({
    role,
    subject: { kind: 'User', name: request.principalArn ?? '' },
    namespace: request.namespace,
  });
  const note = policy.note ? [`${policy.name}: ${policy.note}`] : [];
  return { ...base, permissions, risks, errors: note };
}
