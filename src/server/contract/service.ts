import * as z from 'zod';
import { defineRoute, named } from './route.js';

/** The routes about the service itself: liveness, this document, and who the caller is. */
export const serviceRoutes = {
  health: defineRoute({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness, the replica name, and whether this replica runs the reconciler or stands by',
    auth: 'public',
    responses: {
      200: named(
        'Health',
        z
          .object({
            ok: z.literal(true),
            replica: z.string().optional(),
            reconciler: z.enum(['running', 'standby']).optional(),
          })
          .catchall(z.unknown())
          .describe('ok, and what the running server adds (replica, reconciler role)'),
      ),
    },
    errors: [],
  }),
  openApi: defineRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: 'public',
    responses: { 200: z.object({ openapi: z.string() }).catchall(z.unknown()).describe('OpenAPI 3.1') },
    errors: [],
  }),
  whoami: defineRoute({
    method: 'get',
    path: '/v1/whoami',
    summary: 'The caller behind the token',
    auth: 'signed-in',
    responses: {
      200: named(
        'Whoami',
        z.object({ user: z.string(), groups: z.array(z.string()).readonly(), admin: z.boolean() }),
      ),
    },
    errors: [401],
  }),
} as const;
