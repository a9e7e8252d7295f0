/** One read of a cluster's identities and RBAC (a sync run). */
export interface SyncRunsTable {
  readonly id: string;
  /** Cluster name: the kubeconfig context or provider cluster name. */
  readonly cluster: string;
  readonly server: string;
  readonly started_at: string;
  readonly finished_at: string;
  /** `succeeded` | `partial` | `failed`. */
  readonly status: string;
  /** JSON: object counts by kind. */
  readonly counts: string;
  /** JSON: resourceVersion of each list. */
  readonly resource_versions: string;
  /** JSON: what could not be read. */
  readonly errors: string;
}

/** The objects a sync read, gzipped JSON in base64 (kept apart so listing runs stays cheap). */
export interface SyncSnapshotsTable {
  readonly run_id: string;
  readonly data: string;
}

/** Runs whose grants are indexed by subject (the newest few of each cluster). */
export interface SyncIndexedRunsTable {
  readonly run_id: string;
}

/** One subject of one binding in a sync: who, through which binding, to which role. */
export interface SyncSubjectGrantsTable {
  readonly run_id: string;
  /** The engine's subject key: `User:alice`, `Group:devs`, `ServiceAccount:ns:name`. */
  readonly subject: string;
  /** The binding's place in the sync (ClusterRoleBindings first): the engine's visiting order. */
  readonly ordinal: number;
  readonly binding_kind: string;
  /** The RoleBinding's namespace; empty for a ClusterRoleBinding. */
  readonly namespace: string;
  readonly name: string;
  readonly role_kind: string;
  readonly role_name: string;
  /** The subject's place in the binding's list (0 in runs saved before it was kept). */
  readonly position: number;
}

/** The rules of each Role and ClusterRole of a sync, JSON, keyed as the engine keys roles. */
export interface SyncRoleRulesTable {
  readonly run_id: string;
  /** `ClusterRole:NAME` or `Role:NAMESPACE/NAME`. */
  readonly role_key: string;
  readonly rules: string;
}

/** The pods a sync saw, by the service account they run as (for a ServiceAccount's page). */
export interface SyncPodsTable {
  readonly run_id: string;
  readonly namespace: string;
  readonly name: string;
  readonly service_account: string;
}

/** How IAM principals map onto a run's identities: aws-auth and EKS access entries, as JSON. */
export interface SyncIdentityMapsTable {
  readonly run_id: string;
  /** The kube-system/aws-auth ConfigMap as read, or null when the cluster has none. */
  readonly aws_auth: string | null;
  /** EKS authentication mode and access entries, or null outside EKS. */
  readonly eks: string | null;
}

/** Which resources each role's rules could name (`pods`, `*`, `/` for URLs): who-can reads only those roles. */
export interface SyncRoleTargetsTable {
  readonly run_id: string;
  readonly role_key: string;
  readonly target: string;
}

/**
 * One (verb, resource) pair a role's rules name: the verb or `*`; the resource as written
 * (`pods/exec`, `*`, `*\/scale`) or `/` for URLs. Rules with many pairs are stored coarser (`*`).
 */
export interface SyncRuleKeysTable {
  readonly run_id: string;
  readonly role_key: string;
  readonly verb: string;
  readonly resource: string;
}

/** A digest of one namespace's grant rows in a run (`''`: ClusterRoleBindings): equal digests, equal grants. */
export interface SyncGrantDigestsTable {
  readonly run_id: string;
  readonly namespace: string;
  /** SHA-256 (hex) of the namespace's distinct (subject, binding, role) rows, sorted. */
  readonly digest: string;
}

/** A digest of all of a run's role rules: runs with equal digests bound the same rules. */
export interface SyncRoleDigestsTable {
  readonly run_id: string;
  /** SHA-256 (hex) of every `role_key` and its rules, sorted by key. */
  readonly digest: string;
}

/** Which variants of a run's risk findings are stored, with the count of each check. */
export interface SyncRiskRunsTable {
  readonly run_id: string;
  /** `without-defaults` (Kubernetes' own bindings left out, the default) or `with-defaults`. */
  readonly variant: string;
  /** JSON: `[check, count]` pairs, in the order the checks first appear in the findings. */
  readonly checks: string;
}

/** One risk finding of a run, in the engine's order (most severe first). */
export interface SyncRiskFindingsTable {
  readonly run_id: string;
  readonly variant: string;
  readonly ordinal: number;
  readonly severity: string;
  /** 0 critical … 3 low: a severity threshold is `severity_rank <= n`. */
  readonly severity_rank: number;
  readonly check_id: string;
  readonly title: string;
  readonly subject: string;
  /** Null for cluster-wide findings. */
  readonly namespace: string | null;
  readonly path: string;
}
