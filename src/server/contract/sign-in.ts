import * as z from 'zod';
import { defineRoute, named } from './route.js';

/** The platform roles, written out here so the contract loads nothing of the identity capability. */
const platformRoleSchema = z.enum(['admin', 'auditor', 'responder']);

/**
 * The sign-in routes that speak JSON. The others under /auth are browser redirects and pages,
 * described beside their handlers (server/sign-in/openapi.ts).
 */
export const signInRoutes = {
  exchangeCliCode: defineRoute({
    method: 'post',
    path: '/auth/cli/token',
    summary:
      '`gatehouse login`: trade the one-time code the browser handed over, and the verifier only the CLI knows, for a session token',
    auth: 'public',
    body: {
      mediaType: 'application/json',
      schema: named(
        'CliCodeExchange',
        z.object({ code: z.string().min(1).max(200), verifier: z.string().min(1).max(200) }),
      ),
    },
    responses: {
      200: named(
        'CliSession',
        z.object({
          token: z.string().describe('The session token: send it as Authorization: Bearer; shown once'),
          subject: z.string(),
          groups: z.array(z.string()).readonly(),
          roles: z.array(platformRoleSchema).readonly(),
          expiresAt: z.string().describe('When the session ends at the latest (ISO 8601)'),
        }),
      ),
    },
    errors: [400, 401],
  }),
} as const;
