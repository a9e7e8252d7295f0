/** Access flows as applied (the policy text is kept as JSON of the parsed flow). */
export interface AccessFlowsTable {
  readonly name: string;
  readonly spec: string;
  readonly updated_at: string;
  readonly updated_by: string;
}

/** One access request and its life: pending → approved → active → expired | revoked, … */
export interface AccessRequestsTable {
  readonly id: string;
  readonly flow: string;
  readonly cluster: string;
  readonly requester: string;
  /** JSON list of the requester's groups when the request was made. */
  readonly requester_groups: string;
  readonly role_kind: string;
  readonly role_name: string;
  /** '' for a cluster-wide grant. */
  readonly namespace: string;
  readonly duration_seconds: number;
  readonly reason: string;
  readonly break_glass: number;
  readonly state: string;
  readonly created_at: string;
  readonly activated_at: string | null;
  readonly expires_at: string | null;
  readonly ended_at: string | null;
  readonly updated_at: string;
  /** `binding` (the requester's own identity is bound) or `credential` (a per-request ServiceAccount). */
  readonly mode: string;
  /** Namespace of the per-request ServiceAccount (credential mode). */
  readonly credential_namespace: string | null;
  /** access-entry and aws-auth modes: the requester's IAM principal, from the flow's template. */
  readonly principal_arn: string | null;
  /** The last error met granting an approved request (so a failing grant is reported once per cause). */
  readonly last_error: string | null;
}

/** EKS access policy associations Gatehouse made, so it removes only what it added. */
export interface EksAccessGrantsTable {
  readonly cluster: string;
  readonly principal_arn: string;
  readonly policy_arn: string;
  /** 1 when Gatehouse created the access entry itself (and deletes it with its last association). */
  readonly created_entry: number;
  /** JSON access scope wanted. */
  readonly scope: string;
  /** 1 once EKS confirmed the association with that scope; 0 while a call is owed (retried next pass). */
  readonly applied: number;
  readonly updated_at: string;
}

export interface AccessDecisionsTable {
  readonly request_id: string;
  readonly approver: string;
  readonly decision: string;
  readonly at: string;
}

/** Earlier contents of kube-system/aws-auth, kept before every change Gatehouse makes. */
export interface AwsAuthHistoryTable {
  readonly id: string;
  readonly cluster: string;
  readonly resource_version: string;
  /** JSON of the ConfigMap's data. */
  readonly data: string;
  readonly taken_at: string;
  readonly reason: string;
}
