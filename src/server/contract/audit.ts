import * as z from 'zod';
import { defineRoute, named } from './route.js';

export const auditEventSchema = named(
  'AuditEvent',
  z
    .object({
      seq: z.number().int(),
      id: z.string(),
      at: z.iso.datetime({ offset: true }),
      actor: z.string(),
      action: z.string().describe('dotted verb, e.g. access.grant, forensics.exec'),
      target: z.string(),
      outcome: z.enum(['started', 'succeeded', 'failed', 'denied']),
      details: z.record(z.string(), z.unknown()).readonly(),
      prevHash: z.string(),
      hash: z.string(),
      keyId: z.string().optional().describe('the Ed25519 key that signed the entry; absent before signing'),
      signature: z.string().optional(),
    })
    .readonly(),
);

/** A whole number from a query string; `?after=` counts as absent (the validator drops empty values). */
const whole = () => z.coerce.number<number>().int();

/** The audit routes: the log in chain order and its verification, for admins and auditors. */
export const auditRoutes = {
  listAudit: defineRoute({
    method: 'get',
    path: '/v1/audit',
    summary: 'Audit events in chain order (admin tokens only)',
    auth: 'auditor',
    query: z.object({
      after: whole().min(0).default(0).describe('the last sequence number already read'),
      limit: whole()
        .min(1)
        .default(500)
        .transform((limit) => Math.min(limit, 5000))
        .describe('at most 5000 (larger values read 5000)'),
    }),
    responses: { 200: named('AuditList', z.object({ items: z.array(auditEventSchema).readonly() })) },
    errors: [400, 401, 403, 404, 409, 413],
  }),
  verifyAudit: defineRoute({
    method: 'get',
    path: '/v1/audit/verify',
    summary: 'Re-hash the audit chain (admin tokens only)',
    auth: 'auditor',
    responses: {
      200: named(
        'ChainReport',
        z
          .object({
            ok: z.boolean(),
            checked: z.number().int(),
            head: z.string().describe('the hash of the last entry: keep it elsewhere to detect removals'),
            problems: z.array(z.object({ seq: z.number().int(), problem: z.string() }).readonly()).readonly(),
            notes: z.array(z.string()).readonly().describe('what could not be checked, said plainly'),
          })
          .readonly(),
      ),
    },
    errors: [401, 403],
  }),
} as const;
