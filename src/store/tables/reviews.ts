import type { Generated } from 'kysely';

/** Access review campaigns: one per review of a frozen sync run. Scope and rules are JSON. */
export interface ReviewCampaignsTable {
  readonly id: string;
  readonly name: string;
  readonly cluster: string;
  readonly sync_run_id: string;
  /** SHA-256 of the snapshot the campaign was built from: the items are frozen to it. */
  readonly snapshot_hash: string;
  /** JSON: the campaign's scope (clusters, namespaces, label selectors, roles, subject kinds). */
  readonly scope: string;
  /** JSON: reviewer rules (namespace owners, a named reviewer, the fallback). */
  readonly reviewers: string;
  readonly deadline_at: string;
  /** `leave`, `revoke` or `escalate`: what happens at the deadline to items nobody decided. */
  readonly default_action: string;
  /** JSON list of seconds before the deadline at which reviewers are reminded. */
  readonly reminder_offsets: string;
  /** JSON list of the reminders already sent (offsets, and `overdue:N` days). */
  readonly reminders_sent: string;
  /** `open` or `closed`. */
  readonly state: string;
  readonly created_at: string;
  readonly created_by: string;
  readonly closed_at: string | null;
  readonly closed_by: string | null;
  /** Recurring campaigns (e.g. quarterly): the next one opens this many seconds after this one did. */
  readonly recur_every_seconds: number | null;
  /** The campaign this one recurs from. */
  readonly previous_id: string | null;
  /** JSON list of the runs that fell due with nothing in scope (recurring campaigns). */
  readonly skipped_runs: Generated<string>;
  readonly updated_at: string;
}

/** One subject × grant to certify or revoke, with its reviewer, decision and revocation. */
export interface ReviewItemsTable {
  readonly id: string;
  readonly campaign_id: string;
  readonly ordinal: number;
  /** `User`, `Group`, `ServiceAccount` or `IamPrincipal`. */
  readonly subject_kind: string;
  readonly subject_name: string;
  /** ServiceAccounts only; '' otherwise. */
  readonly subject_namespace: string;
  /** '' for a cluster-wide grant. */
  readonly namespace: string;
  /** JSON: the grant (binding → role, aws-auth mapping, or access-policy association). */
  readonly grant_ref: string;
  /** JSON list of risk findings on this grant. */
  readonly risks: string;
  /** The highest severity among the risks, or '' when none. */
  readonly severity: string;
  /** How many other subjects hold the same role in the same place. */
  readonly holders: number;
  /** `user:NAME` or `group:NAME`. */
  readonly reviewer: string;
  /** Why this reviewer: `owners`, `named`, `fallback`, `self`, `reassigned`, `escalated`. */
  readonly reviewer_rule: string;
  /** pending, kept, revoked, revoke-failed, left. */
  readonly state: string;
  readonly decision: string | null;
  readonly reason: string | null;
  readonly decided_by: string | null;
  readonly decided_at: string | null;
  /** JSON: the last revocation attempt (changes made, proof from SubjectAccessReview, or why it failed). */
  readonly revocation: string | null;
  /** JSON list of notes: reassignments and delegations with their comments. */
  readonly notes: string;
  readonly updated_at: string;
}
