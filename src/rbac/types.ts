/** RBAC objects as the Kubernetes API defines them (rbac.authorization.k8s.io/v1), read-only. */

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface Role {
  readonly kind: 'Role';
  readonly metadata: ObjectMeta;
  readonly rules: readonly PolicyRule[];
}

export interface ClusterRole {
  readonly kind: 'ClusterRole';
  readonly metadata: ObjectMeta;
  readonly rules: readonly PolicyRule[];
  readonly aggregationRule?: { readonly clusterRoleSelectors?: readonly LabelSelector[] };
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  readonly kind: SubjectKind;
  readonly name: string;
  readonly namespace?: string;
  readonly apiGroup?: string;
}

export interface RoleRef {
  readonly apiGroup?: string;
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
}

export interface RoleBinding {
  readonly kind: 'RoleBinding';
  readonly metadata: ObjectMeta;
  readonly roleRef: RoleRef;
  readonly subjects?: readonly Subject[];
}

export interface ClusterRoleBinding {
  readonly kind: 'ClusterRoleBinding';
  readonly metadata: ObjectMeta;
  readonly roleRef: RoleRef;
  readonly subjects?: readonly Subject[];
}

export type Binding = RoleBinding | ClusterRoleBinding;

/** Everything the engine evaluates: one cluster's RBAC at one moment. */
export interface RbacSnapshot {
  readonly roles: readonly Role[];
  readonly clusterRoles: readonly ClusterRole[];
  readonly roleBindings: readonly RoleBinding[];
  readonly clusterRoleBindings: readonly ClusterRoleBinding[];
}

/** Who is asking: an authenticated user as the authorizer sees it. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface ResourceAttributes {
  readonly namespace?: string;
  readonly verb: string;
  readonly group?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
}

export interface NonResourceAttributes {
  readonly path: string;
  readonly verb: string;
}

/** A SubjectAccessReview spec, the question the engine answers exactly as the apiserver does. */
export interface AccessRequest {
  readonly user: string;
  readonly groups?: readonly string[];
  readonly resourceAttributes?: ResourceAttributes;
  readonly nonResourceAttributes?: NonResourceAttributes;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason: string;
}
