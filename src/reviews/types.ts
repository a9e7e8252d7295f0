import type { LabelSelector, PolicyRule, RiskFinding, Severity } from '../rbac/index.js';

/** Kinds of subject a campaign can cover; IAM principals come from aws-auth and access entries. */
export type ReviewSubjectKind = 'User' | 'Group' | 'ServiceAccount' | 'IamPrincipal';
export const reviewSubjectKinds: readonly ReviewSubjectKind[] = [
  'User',
  'Group',
  'ServiceAccount',
  'IamPrincipal',
];

/** What a campaign covers. Every list left empty means "all". */
export interface ReviewScope {
  readonly namespaces?: readonly string[];
  /** Namespaces whose labels match (e.g. env=prod); cluster-wide grants are then out of scope. */
  readonly namespaceSelector?: LabelSelector;
  /** Role names (`edit`, `ClusterRole/admin`, `Role/payments/secret-reader`). */
  readonly roles?: readonly string[];
  /** Only grants equivalent to cluster-admin (full control of every resource where they apply). */
  readonly clusterAdminEquivalent?: boolean;
  readonly subjectKinds?: readonly ReviewSubjectKind[];
  /** Bindings Kubernetes creates itself (label kubernetes.io/bootstrapping) and system: subjects. */
  readonly includeSystem?: boolean;
}

/** `user:NAME` or `group:NAME`: who reviews an item. */
export type ReviewerRef = `user:${string}` | `group:${string}`;

export interface ReviewerRules {
  /** Namespaced items go to the owners named by the namespace annotation `gatehouse.dev/owners`. */
  readonly namespaceOwners?: boolean;
  /** Items without owners go to this reviewer. */
  readonly reviewer?: ReviewerRef;
  /** Everything else, and every item about a reviewer's own access. */
  readonly fallback: ReviewerRef;
}

export type DefaultAction = 'leave' | 'revoke' | 'escalate';
export const defaultActions: readonly DefaultAction[] = ['leave', 'revoke', 'escalate'];

export interface ReviewSubject {
  readonly kind: ReviewSubjectKind;
  readonly name: string;
  readonly namespace?: string;
}

/** What an item certifies: one way the subject holds access. */
export type GrantRef =
  | {
      readonly type: 'binding';
      readonly bindingKind: 'RoleBinding' | 'ClusterRoleBinding';
      readonly bindingName: string;
      /** RoleBindings only. */
      readonly namespace?: string;
      readonly roleRef: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string };
      /** The binding carries app.kubernetes.io/managed-by=gatehouse. */
      readonly owned: boolean;
      /** The role does not exist: an orphan grant (it grants nothing until someone creates the role). */
      readonly roleMissing: boolean;
    }
  | { readonly type: 'aws-auth'; readonly username: string; readonly groups: readonly string[] }
  | {
      readonly type: 'access-policy';
      readonly policyArn: string;
      readonly accessScope: {
        readonly type: 'cluster' | 'namespace';
        readonly namespaces?: readonly string[];
      };
    };

export type ItemState = 'pending' | 'kept' | 'revoked' | 'revoke-failed' | 'left';
export const itemStates: readonly ItemState[] = ['pending', 'kept', 'revoked', 'revoke-failed', 'left'];

export type ReviewerRule = 'owners' | 'named' | 'fallback' | 'self' | 'reassigned' | 'escalated';

/** How a subject used a grant in the review window (from the Kubernetes audit log), or that nobody knows. */
export type UsageSummary =
  | { readonly kind: 'unknown'; readonly why?: string }
  | {
      readonly kind: 'summary';
      /** When the grant was last used in the window, or undefined when never. */
      readonly lastUsedAt?: string;
      readonly requests: number;
      /** The part of the review window the ingested audit logs cover. */
      readonly window: { readonly from: string; readonly to: string };
      /** Nothing the grant allows was used in the window: a candidate for revoking. */
      readonly revokeCandidate: boolean;
      /** The role's rules nobody used in the window (described), when the grant has rules. */
      readonly unusedRules?: readonly string[];
      /** The least rules covering what was used, never beyond the role; absent when unused or rule-less. */
      readonly smallerRole?: readonly PolicyRule[];
    };

/**
 * The port through which usage evidence reaches items: wired by the composition root. `many`, when
 * present, answers many items at once (keyed by item id) in a fixed number of store queries; use
 * `usageOfItems` to take it when it is there.
 */
export type UsageOf = ((item: ReviewItem) => Promise<UsageSummary>) & {
  readonly many?: (items: readonly ReviewItem[]) => Promise<ReadonlyMap<string, UsageSummary>>;
};

/** The proof, after a revocation, that the permission is gone on the cluster (or what still grants it). */
export type RevocationProof =
  | { readonly kind: 'gone'; readonly checked: readonly string[] }
  | {
      readonly kind: 'still-granted';
      readonly checked: readonly string[];
      /** Each: binding → role → rule that still allows one of the checked requests. */
      readonly paths: readonly string[];
    }
  | { readonly kind: 'not-checked'; readonly why: string };

export interface Revocation {
  readonly at: string;
  readonly status: 'done' | 'failed';
  /** What was (or, in a dry run, would be) changed, one line each. */
  readonly changes: readonly string[];
  readonly error?: string;
  readonly proof?: RevocationProof;
}

export interface ItemNote {
  readonly at: string;
  readonly by: string;
  readonly kind: 'reassign' | 'delegate' | 'escalate';
  readonly from: string;
  readonly to: string;
  readonly comment: string;
}

export interface ReviewItem {
  readonly id: string;
  readonly campaignId: string;
  readonly ordinal: number;
  readonly subject: ReviewSubject;
  /** '' for cluster-wide. */
  readonly namespace: string;
  readonly grant: GrantRef;
  readonly risks: readonly RiskFinding[];
  readonly severity: Severity | undefined;
  readonly holders: number;
  readonly reviewer: ReviewerRef;
  readonly reviewerRule: ReviewerRule;
  readonly state: ItemState;
  readonly decision?: {
    readonly kind: 'keep' | 'revoke';
    readonly reason: string;
    readonly by: string;
    readonly at: string;
  };
  readonly revocation?: Revocation;
  readonly notes: readonly ItemNote[];
}

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly cluster: string;
  readonly syncRunId: string;
  readonly snapshotHash: string;
  readonly scope: ReviewScope;
  readonly reviewers: ReviewerRules;
  readonly deadlineAt: string;
  readonly defaultAction: DefaultAction;
  /** Seconds before the deadline. */
  readonly reminderOffsets: readonly number[];
  readonly remindersSent: readonly string[];
  readonly state: 'open' | 'closed';
  readonly createdAt: string;
  readonly createdBy: string;
  readonly closedAt?: string;
  readonly closedBy?: string;
  /** Recurring (e.g. quarterly): the next campaign opens this many seconds after this one did. */
  readonly recurEverySeconds?: number;
  /** The campaign this one recurs from. */
  readonly previousId?: string;
  /** Recurring: runs that fell due with nothing in scope, so none was opened (oldest first). */
  readonly skippedRuns?: readonly SkippedRun[];
}

/** A run of a recurring campaign that was due but not opened: its scope selected nothing. */
export interface SkippedRun {
  /** When the run fell due. */
  readonly dueAt: string;
  /** When Gatehouse found the scope empty. */
  readonly at: string;
  /** The sync run that was looked at. */
  readonly syncRunId: string;
  readonly reason: string;
}

/** Items by state, for progress. */
export type CampaignCounts = Readonly<Record<ItemState, number>> & { readonly total: number };
