import { describeError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { KubeClient } from '../kube/index.js';
import { accessPolicies, type ClusterRole, type Role, type Severity } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { accessPolicyArn } from './flows.js';
import { combinedRisks } from './grant-preview-combined.js';
import { type HeldStatus, heldIndex, holds, identityOf } from './grant-preview-held.js';
import { readRole } from './grant-preview-role.js';
import {
  type GrantSubject,
  type PermissionLine,
  type PreviewRisk,
  previewBinding,
} from './grant-preview-shape.js';
import { grantOf } from './reconciler.js';
import type { AccessRequest } from './requests.js';
import { getVisibleRequest } from './visibility.js';

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
  readonly alreadyHeld: HeldStatus;
  /** What could not be read: the preview may be incomplete or empty because of these. */
  readonly errors: readonly string[];
}

export interface GrantPreviewOptions {
  /**
   * The request as the caller read it for the principal it answers (`getVisibleRequest`,
   * `listVisibleRequests`): a preview is only for those who may see the request.
   */
  readonly request: AccessRequest;
  /** Gatehouse's client for the request's cluster (the role's rules are read through it). */
  readonly client: () => Promise<KubeClient>;
  /** For what the subject already holds, from the latest RBAC sync of the cluster; without it, not computed. */
  readonly store?: Store;
}

/**
 * The effective permissions a request's grant would add, computed by the RBAC engine from the
 * role as the cluster holds it now (aggregation applied), scoped to the request's namespace; the
 * risky ones among them (with dangerous combinations it completes with what is already held);
 * and, line by line, whether the subject already holds it (from the latest RBAC sync, when there
 * is one). Read-only: nothing is created in the cluster. A role that cannot be read is an error in
 * the result, not an exception, so an approvals page still renders.
 *
 * @example
 * const preview = await grantPreview({ request, store, client: () => clusters.client(request.cluster) });
 * preview.risks.filter((risk) => risk.severity === 'critical');
 */
export async function grantPreview(options: GrantPreviewOptions): Promise<GrantPreview> {
  const { request } = options;
  const access = `${request.role.kind}/${request.role.name} ${request.namespace ? `in namespace ${request.namespace}` : 'cluster-wide'}`;
  if (request.role.kind === 'AccessPolicy') return accessPolicyPreview(request, access);
  const subject = subjectOf(request);
  const base = { requestId: request.id, subject: subjectLabel(subject), access };
  let read: { role: Role | ClusterRole; aggregated: boolean };
  try {
    read = await readRole(await options.client(), request);
  } catch (error) {
    const alreadyHeld = { status: 'not-computed', reason: 'the role could not be read' } as const;
    return {
      ...base,
      aggregated: false,
      permissions: [],
      risks: [],
      alreadyHeld,
      errors: [describeError(error)],
    };
  }
  const { permissions, risks } = previewBinding({ role: read.role, subject, namespace: request.namespace });
  const identity = identityOf(request, subject);
  const held = options.store
    ? await heldIndex(options.store, request.cluster, identity)
    : ({ index: undefined, status: { status: 'not-computed', reason: 'no store was given' } } as const);
  const index = held.index;
  return {
    ...base,
    aggregated: read.aggregated,
    permissions: index
      ? permissions.map((line) => ({ ...line, alreadyHeld: holds(index, identity, line) }))
      : permissions,
    risks: index
      ? bySeverity([
          ...risks,
          ...combinedRisks({ role: read.role, subject, namespace: request.namespace, held: index.snapshot }),
        ])
      : risks,
    alreadyHeld: held.status,
    errors: [],
  };
}

const severityOrder: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

function bySeverity(risks: readonly PreviewRisk[]): PreviewRisk[] {
  return [...risks].sort((a, b) => severityOrder.indexOf(a.severity) - severityOrder.indexOf(b.severity));
}

/**
 * {@link grantPreview} for a request named by id, for a principal: someone who may not see the
 * request gets the same not-found as for an id that does not exist, and no cluster is called.
 *
 * @example
 * await grantPreviewFor({ store, principal, id, client: (cluster) => clusters.client(cluster) });
 */
export async function grantPreviewFor(options: {
  readonly store: Store;
  readonly principal: Principal;
  /** The request's full id. */
  readonly id: string;
  readonly client: (cluster: string) => Promise<KubeClient>;
}): Promise<GrantPreview> {
  const request = await getVisibleRequest(options.store, options.principal, options.id);
  return await grantPreview({ request, store: options.store, client: () => options.client(request.cluster) });
}

function subjectOf(request: AccessRequest): GrantSubject {
  const { subject } = grantOf(request);
  return subject.kind === 'ServiceAccount'
    ? { kind: 'ServiceAccount', namespace: subject.namespace ?? '', name: subject.name }
    : { kind: 'User', name: subject.name };
}

function subjectLabel(subject: GrantSubject): string {
  return subject.kind === 'User'
    ? `User ${subject.name}`
    : `ServiceAccount ${subject.namespace}/${subject.name}`;
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
