import * as z from 'zod';
import { auditEventSchema } from './audit.js';
import {
  campaignSchema,
  countsSchema,
  decisionsSchema,
  itemStateSchema,
  newCampaignSchema,
  reassignmentsSchema,
  refusedSchema,
  reviewItemSchema,
  revocationSchema,
} from './review-schemas.js';
import { defineRoute, named } from './route.js';
import { usageSummarySchema } from './usage-schema.js';

const idParams = z.object({
  id: z.string().min(1).max(64).describe('the campaign id (a unique prefix will do)'),
});
const errors = [400, 401, 403, 404, 409, 413] as const;
const summarySchema = named(
  'ReviewCampaignSummary',
  z.object({ campaign: campaignSchema, counts: countsSchema }),
);

/** Access review routes: campaigns, a reviewer's queue, decisions, reassignment, closing, evidence. */
export const reviewRoutes = {
  listReviews: defineRoute({
    method: 'get',
    path: '/v1/reviews',
    summary: 'Campaigns the caller takes part in (all for admins and auditors), newest first, with progress',
    auth: 'signed-in',
    responses: { 200: named('ReviewCampaignList', z.object({ items: z.array(summarySchema).readonly() })) },
    errors: [401],
  }),
  createReview: defineRoute({
    method: 'post',
    path: '/v1/reviews',
    summary: 'Open a campaign over a frozen sync run of a cluster (admins)',
    auth: 'admin',
    body: { mediaType: 'application/json', schema: newCampaignSchema },
    responses: {
      201: named('CreatedReview', z.object({ campaign: campaignSchema, items: z.number().int() })),
    },
    errors,
  }),
  getReview: defineRoute({
    method: 'get',
    path: '/v1/reviews/{id}',
    summary: "A campaign and the items the caller may see (a reviewer's queue), with filters",
    auth: 'signed-in',
    params: idParams,
    query: z.object({
      state: itemStateSchema.optional(),
      reviewer: z.string().max(260).optional().describe('user:NAME or group:NAME'),
      namespace: z.string().max(253).optional(),
      severity: z.enum(['critical', 'high', 'medium', 'low']).optional(),
      mine: z.enum(['true', 'false']).optional().describe('only items the caller reviews'),
    }),
    responses: {
      200: named(
        'ReviewQueue',
        z.object({
          campaign: campaignSchema,
          counts: countsSchema,
          items: z.array(reviewItemSchema).readonly(),
        }),
      ),
    },
    errors,
  }),
  decideReview: defineRoute({
    method: 'post',
    path: '/v1/reviews/{id}/decisions',
    summary: 'Keep or revoke items (bulk); revokes are carried out and proven with SubjectAccessReview',
    auth: 'signed-in',
    params: idParams,
    body: { mediaType: 'application/json', schema: decisionsSchema },
    responses: {
      200: named(
        'ReviewDecisionReport',
        z.object({
          decided: z.array(reviewItemSchema).readonly(),
          planned: z.array(z.object({ id: z.string(), revocation: revocationSchema })).readonly(),
          refused: refusedSchema,
        }),
      ),
    },
    errors,
  }),
  reassignReview: defineRoute({
    method: 'post',
    path: '/v1/reviews/{id}/reassignments',
    summary: 'Give items to another reviewer with a comment (delegate: as their reviewer)',
    auth: 'signed-in',
    params: idParams,
    body: { mediaType: 'application/json', schema: reassignmentsSchema },
    responses: {
      200: named(
        'ReviewReassignReport',
        z.object({ reassigned: z.array(reviewItemSchema).readonly(), refused: refusedSchema }),
      ),
    },
    errors,
  }),
  closeReview: defineRoute({
    method: 'post',
    path: '/v1/reviews/{id}/close',
    summary: 'Close a campaign (admins); undecided items stay pending in its evidence',
    auth: 'admin',
    params: idParams,
    responses: { 200: z.object({ campaign: campaignSchema }) },
    errors,
  }),
  exportReview: defineRoute({
    method: 'get',
    path: '/v1/reviews/{id}/evidence',
    summary:
      'Evidence for auditors: items, decisions, revocations and proofs, orphans, the signed trail (admins and auditors: all of it; a reviewer: their items only, marked by `only`); audited',
    auth: 'signed-in',
    params: idParams,
    responses: {
      200: named(
        'ReviewEvidence',
        z.object({
          campaign: campaignSchema,
          counts: countsSchema,
          items: z.array(reviewItemSchema.extend({ usage: usageSummarySchema })).readonly(),
          orphans: z.array(z.string()).readonly(),
          provenRevocations: z.number().int(),
          trail: z.array(auditEventSchema).readonly(),
          only: z.string().optional(),
          generatedAt: z.iso.datetime({ offset: true }),
        }),
      ),
    },
    errors,
  }),
} as const;
