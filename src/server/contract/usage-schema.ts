/** The usage evidence on a review item, as the API and the JSON export show it. */
import * as z from 'zod';
import type { PolicyRule } from '../../rbac/index.js';
import type { UsageSummary } from '../../reviews/index.js';
import { named } from './route.js';

const instant = z.iso.datetime({ offset: true });
const names = z.array(z.string()).readonly();

export const policyRuleSchema = named(
  'PolicyRule',
  z
    .object({
      verbs: names,
      apiGroups: names.optional(),
      resources: names.optional().describe('RESOURCE or RESOURCE/SUBRESOURCE'),
      resourceNames: names.optional(),
      nonResourceURLs: names.optional(),
    })
    .describe('An RBAC rule, as Kubernetes writes it in a Role'),
);

export const usageSummarySchema = named(
  'UsageSummary',
  z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('unknown'),
        why: z.string().optional().describe('why usage is unknown, and how to learn it'),
      }),
      z.object({
        kind: z.literal('summary'),
        lastUsedAt: instant
          .optional()
          .describe('the last use of the grant in the window; absent when unused'),
        requests: z.number().int().nonnegative().describe('requests the grant allowed in the window'),
        window: z
          .object({ from: instant, to: instant })
          .describe('the part of the review window the ingested audit logs cover'),
        revokeCandidate: z.boolean().describe('nothing the grant allows was used in the window'),
        unusedRules: names.optional().describe("the role's rules nobody used in the window, described"),
        smallerRole: z
          .array(policyRuleSchema)
          .readonly()
          .optional()
          .describe('the least rules covering what was used, never beyond the role'),
      }),
    ])
    .describe('How the subject used the grant in the review window (Kubernetes audit log), or why unknown'),
);

// Both ways assignable: a field added to UsageSummary or PolicyRule and not here fails the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameUsage: Same<z.output<typeof usageSummarySchema>, UsageSummary> = true;
const sameRule: Same<z.output<typeof policyRuleSchema>, PolicyRule> = true;
void sameUsage;
void sameRule;
