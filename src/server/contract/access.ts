import * as z from 'zod';
import {
  accessFlowSchema,
  accessRequestSchema,
  issuedCredentialSchema,
  names,
  newRequestSchema,
  requestStateSchema,
} from './access-schemas.js';
import { defineRoute, named } from './route.js';

const requestAnswer = named(
  'RequestAnswer',
  z.object({ request: accessRequestSchema }).describe('The request after the operation'),
);
const idParams = z.object({
  id: z
    .string()
    .describe(
      'The full request id (never a prefix). A request the caller may not see answers 404, as one that does not exist.',
    ),
});
const errors = [400, 401, 403, 404, 409, 413] as const;

function action<const S extends string>(verb: S, summary: string) {
  return defineRoute({
    method: 'post',
    path: `/v1/requests/{id}/${verb}`,
    summary,
    auth: 'signed-in',
    params: idParams,
    responses: { 200: requestAnswer },
    errors,
  });
}

/** A decision: the action, with a body that may give the reason (an empty object gives none). */
function decision<const S extends string>(verb: S, summary: string) {
  return defineRoute({
    ...action(verb, summary),
    body: { mediaType: 'application/json', schema: decisionSchema, optional: true },
  });
}

const decisionSchema = named(
  'Decision',
  z.object({
    reason: z
      .string()
      .max(2000)
      .optional()
      .describe('Why; shown to the requester in the history, kept in the audit log'),
  }),
);

/** The access routes: flows, requests, decisions and credentials. */
export const accessRoutes = {
  listFlows: defineRoute({
    method: 'get',
    path: '/v1/flows',
    summary: 'Access flows',
    auth: 'signed-in',
    responses: { 200: named('FlowList', z.object({ items: z.array(accessFlowSchema).readonly() })) },
    errors: [401],
  }),
  applyFlows: defineRoute({
    method: 'put',
    path: '/v1/flows',
    summary: 'Apply AccessFlow YAML documents (admin tokens)',
    auth: 'admin',
    body: { mediaType: 'application/yaml', schema: z.string(), description: 'AccessFlow YAML documents' },
    responses: {
      200: named(
        'AppliedFlows',
        z
          .object({ applied: names, refused: names })
          .describe('refused names the pending requests the flows no longer allow, now ended'),
      ),
    },
    errors,
  }),
  listRequests: defineRoute({
    method: 'get',
    path: '/v1/requests',
    summary:
      'Requests the caller may see (their own, those they approve; all for admin tokens), newest first',
    auth: 'signed-in',
    query: z.object({ state: requestStateSchema.optional() }),
    responses: { 200: named('RequestList', z.object({ items: z.array(accessRequestSchema).readonly() })) },
    errors,
  }),
  createRequest: defineRoute({
    method: 'post',
    path: '/v1/requests',
    summary: 'Request time-bound access under a flow',
    auth: 'signed-in',
    body: { mediaType: 'application/json', schema: newRequestSchema },
    responses: { 201: requestAnswer },
    errors,
  }),
  getRequest: defineRoute({
    method: 'get',
    path: '/v1/requests/{id}',
    summary: 'One request',
    auth: 'signed-in',
    params: idParams,
    responses: { 200: requestAnswer },
    errors,
  }),
  approveRequest: decision('approve', 'Approve (never your own request), with an optional reason'),
  denyRequest: decision('deny', 'Deny, with an optional reason the requester sees'),
  revokeRequest: action('revoke', 'End access now (requester or approver)'),
  extendRequest: defineRoute({
    ...action('extend', 'Extend active access (approvers)'),
    body: {
      mediaType: 'application/json',
      schema: named('Extension', z.object({ duration: z.string().min(1).max(32).describe('30m, 2h, 1d') })),
    },
  }),
  issueCredential: defineRoute({
    method: 'post',
    path: '/v1/requests/{id}/credential',
    summary:
      'Credential mode: a kubeconfig whose token the API server refuses after the grant ends (requester only)',
    auth: 'signed-in',
    params: idParams,
    responses: { 200: issuedCredentialSchema },
    errors,
    headers: { 'cache-control': 'no-store' },
  }),
} as const;
