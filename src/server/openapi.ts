import { requestStates } from '../access/index.js';
import { signInPaths } from './sign-in/openapi.js';

const error = {
  description: 'Error: code, what went wrong, and the fix',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const requestAnswer = {
  description: 'The request after the operation',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { request: { $ref: '#/components/schemas/AccessRequest' } } },
    },
  },
};
const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description:
    'The full request id (never a prefix). A request the caller may not see answers 404, as one that does not exist.',
};
const errors = { '400': error, '401': error, '403': error, '404': error, '409': error, '413': error };

function action(summary: string, body?: object) {
  return {
    post: {
      summary,
      parameters: [idParameter],
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      responses: { '200': requestAnswer, ...errors },
    },
  };
}

/** The OpenAPI 3.1 description of the HTTP API, served at /openapi.json. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Gatehouse API',
    version: '1',
    description:
      'Just-in-time access: flows, requests, approvals, credentials and the audit log. Authenticate with `Authorization: Bearer TOKEN` (`gatehouse tokens create --user NAME`). Bodies are at most 64 KB (413 beyond); durations run from 1s to 366d.',
  },
  components: {
    securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              fix: { type: ['string', 'null'] },
            },
          },
        },
      },
      AccessRequest: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          flow: { type: 'string' },
          cluster: { type: 'string' },
          requester: { type: 'string' },
          requesterGroups: { type: 'array', items: { type: 'string' } },
          role: {
            type: 'object',
            properties: { kind: { enum: ['Role', 'ClusterRole', 'AccessPolicy'] }, name: { type: 'string' } },
          },
          namespace: { type: 'string', description: 'absent for cluster-wide access' },
          durationSeconds: { type: 'integer' },
          reason: { type: 'string' },
          breakGlass: { type: 'boolean' },
          state: { enum: [...requestStates] },
          createdAt: { type: 'string', format: 'date-time' },
          activatedAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          endedAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time', description: 'last change of state or expiry' },
          lastError: {
            type: 'string',
            description: 'approved but not yet in place: why the last attempt to grant it failed',
          },
          approvals: { type: 'array', items: { type: 'string' } },
          credential: {
            type: 'object',
            description: 'credential mode: the per-request ServiceAccount',
            properties: { namespace: { type: 'string' }, name: { type: 'string' } },
          },
        },
      },
      NewRequest: {
        type: 'object',
        required: ['flow', 'cluster', 'role', 'duration'],
        properties: {
          flow: { type: 'string' },
          cluster: { type: 'string' },
          role: {
            type: 'string',
            description: 'ClusterRole/NAME, Role/NAME, AccessPolicy/NAME (EKS) or NAME (a ClusterRole)',
          },
          namespace: { type: 'string' },
          duration: { type: 'string', description: 'from activation: 30m, 2h, 1d' },
          reason: { type: 'string' },
          breakGlass: { type: 'boolean' },
        },
      },
    },
  },
  security: [{ token: [] }],
  paths: {
    '/healthz': {
      get: {
        summary: 'Liveness, the replica name, and whether this replica runs the reconciler or stands by',
        security: [],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/openapi.json': {
      get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
    },
    '/v1/whoami': {
      get: {
        summary: 'The caller behind the token',
        responses: { '200': { description: 'user, groups, admin' }, '401': error },
      },
    },
    '/v1/flows': {
      get: {
        summary: 'Access flows',
        responses: { '200': { description: '{ items: AccessFlow[] }' }, '401': error },
      },
      put: {
        summary: 'Apply AccessFlow YAML documents (admin tokens)',
        requestBody: { required: true, content: { 'application/yaml': { schema: { type: 'string' } } } },
        responses: {
          '200': {
            description:
              '{ applied: string[], refused: string[] }: refused names the pending requests the flows no longer allow, now ended',
          },
          ...errors,
        },
      },
    },
    '/v1/requests': {
      get: {
        summary:
          'Requests the caller may see (their own, those they approve; all for admin tokens), newest first',
        parameters: [{ name: 'state', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: '{ items: AccessRequest[] }' }, ...errors },
      },
      post: {
        summary: 'Request time-bound access under a flow',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewRequest' } } },
        },
        responses: { '201': requestAnswer, ...errors },
      },
    },
    '/v1/requests/{id}': {
      get: {
        summary: 'One request',
        parameters: [idParameter],
        responses: { '200': requestAnswer, ...errors },
      },
    },
    '/v1/requests/{id}/approve': action('Approve (never your own request)'),
    '/v1/requests/{id}/deny': action('Deny'),
    '/v1/requests/{id}/revoke': action('End access now (requester or approver)'),
    '/v1/requests/{id}/extend': action('Extend active access (approvers)', {
      type: 'object',
      required: ['duration'],
      properties: { duration: { type: 'string' } },
    }),
    '/v1/requests/{id}/credential': {
      post: {
        summary:
          'Credential mode: a kubeconfig whose token the API server refuses after the grant ends (requester only)',
        parameters: [idParameter],
        responses: {
          '200': {
            description: 'kubeconfig YAML with refusedAfter and grantExpiresAt',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    kubeconfig: { type: 'string' },
                    refusedAfter: { type: 'string', format: 'date-time' },
                    grantExpiresAt: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    '/v1/audit': {
      get: {
        summary: 'Audit events in chain order (admin tokens only)',
        parameters: [
          { name: 'after', in: 'query', schema: { type: 'integer' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 5000 } },
        ],
        responses: { '200': { description: '{ items: AuditEvent[] }' }, ...errors },
      },
    },
    '/v1/audit/verify': {
      get: {
        summary: 'Re-hash the audit chain (admin tokens only)',
        responses: { '200': { description: 'ChainReport' }, '401': error, '403': error },
      },
    },
    ...signInPaths,
  },
} as const;
