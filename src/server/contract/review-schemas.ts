/** The shapes of access reviews as the API shows them: campaigns, items, decisions, evidence. */
import * as z from 'zod';
import type { DefaultAction, ItemState, ReviewSubjectKind } from '../../reviews/index.js';
import { named } from './route.js';

const itemStates = [
  'pending',
  'kept',
  'revoked',
  'revoke-failed',
  'left',
] as const satisfies readonly ItemState[];
const actions = ['leave', 'revoke', 'escalate'] as const satisfies readonly DefaultAction[];
const kinds = [
  'User',
  'Group',
  'ServiceAccount',
  'IamPrincipal',
] as const satisfies readonly ReviewSubjectKind[];
// Every state, action and kind is listed: a new one in the capability fails the type check here.
const everyState: Exclude<ItemState, (typeof itemStates)[number]> extends never ? true : false = true;
const everyAction: Exclude<DefaultAction, (typeof actions)[number]> extends never ? true : false = true;
void everyState;
void everyAction;

const instant = z.iso.datetime({ offset: true });
const reviewer = z
  .string()
  .regex(/^(user|group):[^\s,]{1,253}$/)
  .describe('user:NAME or group:NAME');

export const itemStateSchema = z.enum(itemStates);
export const defaultActionSchema = z.enum(actions);

const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).readonly().optional(),
      }),
    )
    .readonly()
    .optional(),
});

export const reviewScopeSchema = named(
  'ReviewScope',
  z
    .object({
      namespaces: z.array(z.string().max(253)).max(500).readonly().optional(),
      namespaceSelector: labelSelector.optional().describe('namespaces whose labels match (e.g. env=prod)'),
      roles: z
        .array(z.string().max(600))
        .max(500)
        .readonly()
        .optional()
        .describe('NAME, ClusterRole/NAME or Role/NS/NAME'),
      clusterAdminEquivalent: z.boolean().optional(),
      subjectKinds: z.array(z.enum(kinds)).readonly().optional(),
      includeSystem: z.boolean().optional(),
    })
    .describe('What a campaign covers; every list left out means all'),
);

const reviewerRules = z.object({
  namespaceOwners: z
    .boolean()
    .optional()
    .describe('items go to the owners in the namespace annotation gatehouse.dev/owners'),
  reviewer: reviewer.optional(),
  fallback: reviewer,
});

export const campaignSchema = named(
  'ReviewCampaign',
  z.object({
    id: z.string(),
    name: z.string(),
    cluster: z.string(),
    syncRunId: z.string(),
    snapshotHash: z.string().describe('SHA-256 of the frozen sync snapshot'),
    scope: reviewScopeSchema,
    reviewers: reviewerRules,
    deadlineAt: instant,
    defaultAction: defaultActionSchema,
    reminderOffsets: z.array(z.number().int()).readonly().describe('seconds before the deadline'),
    remindersSent: z.array(z.string()).readonly(),
    state: z.enum(['open', 'closed']),
    createdAt: instant,
    createdBy: z.string(),
    closedAt: instant.optional(),
    closedBy: z.string().optional(),
    recurEverySeconds: z.number().int().optional(),
    previousId: z.string().optional(),
    skippedRuns: z
      .array(z.object({ dueAt: instant, at: instant, syncRunId: z.string(), reason: z.string() }))
      .readonly()
      .optional()
      .describe('recurring: runs that fell due with nothing in scope, so none was opened'),
  }),
);

const count = z.number().int();
export const countsSchema = z.object({
  total: count,
  pending: count,
  kept: count,
  revoked: count,
  'revoke-failed': count,
  left: count,
});

export const revocationSchema = z.object({
  at: instant,
  status: z.enum(['done', 'failed']),
  changes: z.array(z.string()).readonly(),
  error: z.string().optional(),
  proof: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('gone'), checked: z.array(z.string()).readonly() }),
      z.object({
        kind: z.literal('still-granted'),
        checked: z.array(z.string()).readonly(),
        paths: z.array(z.string()).readonly(),
      }),
      z.object({ kind: z.literal('not-checked'), why: z.string() }),
    ])
    .optional(),
});

export const reviewItemSchema = named(
  'ReviewItem',
  z.object({
    id: z.string(),
    campaignId: z.string(),
    ordinal: z.number().int(),
    subject: z.object({ kind: z.enum(kinds), name: z.string(), namespace: z.string().optional() }),
    namespace: z.string(),
    grant: z
      .record(z.string(), z.unknown())
      .describe('binding → role, aws-auth mapping or access-policy association (field type)'),
    risks: z
      .array(
        z.object({
          check: z.string(),
          severity: z.string(),
          title: z.string(),
          subject: z.string(),
          namespace: z.string().optional(),
          path: z.string(),
        }),
      )
      .readonly(),
    severity: z.string().optional(),
    holders: z.number().int().describe('how many other subjects hold the same role in the same place'),
    reviewer,
    reviewerRule: z.string(),
    state: itemStateSchema,
    decision: z
      .object({ kind: z.enum(['keep', 'revoke']), reason: z.string(), by: z.string(), at: instant })
      .optional(),
    revocation: revocationSchema.optional(),
    notes: z
      .array(
        z.object({
          at: instant,
          by: z.string(),
          kind: z.string(),
          from: z.string(),
          to: z.string(),
          comment: z.string(),
        }),
      )
      .readonly(),
  }),
);

export const newCampaignSchema = named(
  'NewReviewCampaign',
  z.object({
    name: z.string().min(1).max(200),
    cluster: z.string().min(1).max(253),
    runId: z.string().max(64).optional().describe('a sync run id; default the latest usable one'),
    scope: reviewScopeSchema.default({}),
    reviewers: reviewerRules,
    deadline: z.string().max(40).describe('an ISO time, or a duration from now (14d, 36h)'),
    defaultAction: defaultActionSchema.default('leave'),
    every: z
      .string()
      .max(10)
      .optional()
      .describe('recurring: the next run opens this long after this one, e.g. 90d'),
    reminders: z
      .array(z.string().max(10))
      .max(20)
      .readonly()
      .optional()
      .describe('durations before the deadline, e.g. ["7d","1d"]'),
  }),
);

export const decisionsSchema = named(
  'ReviewDecisions',
  z.object({
    items: z.array(z.string().max(64)).min(1).max(1000).readonly(),
    decision: z.enum(['keep', 'revoke']),
    reason: z.string().max(2000).optional(),
    dryRun: z.boolean().optional(),
  }),
);

export const reassignmentsSchema = named(
  'ReviewReassignments',
  z.object({
    items: z.array(z.string().max(64)).min(1).max(1000).readonly(),
    to: reviewer,
    comment: z.string().min(1).max(2000),
    delegate: z.boolean().optional(),
  }),
);

export const refusedSchema = z.array(z.object({ id: z.string(), why: z.string() })).readonly();
