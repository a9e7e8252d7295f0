/** The shape of a risk check, and the helpers the check tables are written with. */

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface RiskFinding {
  readonly check: string;
  readonly severity: Severity;
  readonly title: string;
  /** `User alice`, `Group devs`, `ServiceAccount ns/name`, or an IAM ARN. */
  readonly subject: string;
  /** A namespace, or undefined for cluster-wide. */
  readonly namespace: string | undefined;
  /** How it is granted: binding → role → rule (parts joined by ` + `), or the aws-auth entry. */
  readonly path: string;
}

/** One request the apiserver could be asked, and which bindings can reach it. */
export interface Question {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** Every subresource of the resource counts (`userextras/<key>`): keys are not known ahead. */
  readonly anySubresource?: boolean;
  /** Cluster-scoped objects (nodes, CSRs, webhooks, users): a RoleBinding never reaches them. */
  readonly clusterScoped?: boolean;
  /** The object lives only in this namespace: a RoleBinding elsewhere never reaches it. */
  readonly namespace?: string;
  /** Names to ask with as well, so a rule limited to exactly these (cluster-admin) still counts. */
  readonly dangerousNames?: readonly string[];
}

export interface ScopedSeverity {
  /** Through a ClusterRoleBinding; never ranked below `kubeSystem` (it includes kube-system). */
  readonly cluster: Severity;
  readonly kubeSystem?: Severity;
  readonly namespace: Severity;
}

/**
 * - `requests`: one binding allows any of the requests. A rule limited by resourceNames to other
 *   names counts one severity lower when `otherNames` is `lower` (a named pod is still a pod).
 * - `combination`: one subject holds every part, possibly through different bindings.
 * - `wildcard`: a rule written with `*`, reported when nothing more precise matched.
 */
export type Check =
  | {
      readonly kind: 'requests';
      readonly id: string;
      readonly title: string;
      readonly severity: ScopedSeverity;
      readonly requests: readonly Question[];
      readonly otherNames: 'lower' | 'ignore';
    }
  | {
      readonly kind: 'combination';
      readonly id: string;
      readonly title: string;
      readonly severity: Severity;
      readonly parts: readonly (readonly Question[])[];
    }
  | {
      readonly kind: 'wildcard';
      readonly id: string;
      readonly title: string;
      readonly severity: ScopedSeverity;
    };

export const rbacGroup = 'rbac.authorization.k8s.io';
export const writes = ['update', 'patch'];

/** Every verb asked of every target. */
export const ask = (verbs: readonly string[], targets: readonly Omit<Question, 'verb'>[]): Question[] =>
  verbs.flatMap((verb) => targets.map((target) => ({ verb, ...target })));

/** A core-group (`""`) resource, optionally with its subresource. */
export const core = (resource: string, subresource?: string): Omit<Question, 'verb'> => ({
  group: '',
  resource,
  ...(subresource ? { subresource } : {}),
});
