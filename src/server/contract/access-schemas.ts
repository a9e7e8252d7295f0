/** The shapes of the access capability as the API shows them: requests, flows, credentials. */
import * as z from 'zod';
// Types only (erased at build): the contract checks it matches the capability without loading it.
import type {
  AccessMode,
  FlowRole,
  RequestState,
  requestFieldLimits,
  requestStates,
} from '../../access/index.js';
import { named } from './route.js';

/** The capability's own limits, restated so clients need not load it; the type keeps them equal. */
const limits = { reason: 2000, cluster: 253, roleName: 253 } as const satisfies typeof requestFieldLimits;
const states = [
  'pending',
  'approved',
  'active',
  'expired',
  'revoked',
  'denied',
  'cancelled',
  'pending-expired',
  'failed',
  'refused',
] as const satisfies typeof requestStates;
const modes = ['binding', 'credential', 'aws-auth', 'access-entry'] as const satisfies readonly AccessMode[];
const roleKinds = ['Role', 'ClusterRole', 'AccessPolicy'] as const satisfies readonly FlowRole['kind'][];
// Every mode and role kind is listed: a new one in the capability fails the type check here.
const everyMode: Exclude<AccessMode, (typeof modes)[number]> extends never ? true : false = true;
const everyKind: Exclude<FlowRole['kind'], (typeof roleKinds)[number]> extends never ? true : false = true;
void everyMode;
void everyKind;

const instant = z.iso.datetime({ offset: true });
export const names = z.array(z.string()).readonly();

export const requestStateSchema = z.enum(states satisfies readonly RequestState[]);

export const accessRequestSchema = named(
  'AccessRequest',
  z
    .object({
      id: z.string(),
      flow: z.string(),
      cluster: z.string(),
      requester: z.string(),
      requesterGroups: names,
      role: z.object({ kind: z.enum(roleKinds), name: z.string() }).readonly(),
      namespace: z.string().optional().describe('absent for cluster-wide access'),
      durationSeconds: z.number().int(),
      reason: z.string(),
      breakGlass: z.boolean(),
      mode: z.enum(modes),
      principalArn: z.string().optional().describe("EKS modes: the requester's IAM principal"),
      state: requestStateSchema,
      createdAt: instant,
      activatedAt: instant.optional(),
      expiresAt: instant.optional(),
      endedAt: instant.optional(),
      updatedAt: instant.describe('last change of state or expiry'),
      lastError: z
        .string()
        .optional()
        .describe('approved but not yet in place: why the last attempt to grant it failed'),
      approvals: names,
      credential: z
        .object({ namespace: z.string(), name: z.string() })
        .readonly()
        .optional()
        .describe('credential mode: the per-request ServiceAccount'),
    })
    .readonly(),
);
export type AccessRequestView = z.output<typeof accessRequestSchema>;

const principals = z.object({ users: names, groups: names }).readonly();
const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).readonly().optional(),
    matchExpressions: z
      .array(
        z
          .object({
            key: z.string(),
            operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
            values: names.optional(),
          })
          .readonly(),
      )
      .readonly()
      .optional(),
  })
  .readonly();

export const accessFlowSchema = named(
  'AccessFlow',
  z
    .object({
      name: z.string(),
      requesters: principals,
      clusters: names.describe('cluster names; * for any'),
      namespaces: names.describe('namespace names; a trailing * matches a prefix'),
      namespaceSelector: labelSelector.optional(),
      roles: z
        .array(
          z.object({ kind: z.enum(roleKinds), name: z.string(), scope: z.enum(['namespace', 'cluster']) }),
        )
        .readonly(),
      approvers: z.object({ users: names, groups: names, required: z.number().int() }).readonly(),
      autoApprove: principals,
      maxDurationSeconds: z.number().int(),
      justificationRequired: z.boolean(),
      breakGlass: principals,
      mode: z.enum(modes),
      credentialNamespace: z.string(),
      principalArnTemplate: z.string().optional(),
    })
    .readonly(),
);

export const newRequestSchema = named(
  'NewRequest',
  z.object({
    flow: z.string().min(1).max(63),
    cluster: z.string().min(1).max(limits.cluster),
    role: z
      .string()
      .min(1)
      .max(limits.roleName + 20)
      .describe('ClusterRole/NAME, Role/NAME, AccessPolicy/NAME (EKS) or NAME (a ClusterRole)'),
    namespace: z.string().min(1).max(253).optional(),
    duration: z.string().min(1).max(32).describe('from activation: 30m, 2h, 1d'),
    reason: z.string().max(limits.reason).optional(),
    breakGlass: z.boolean().optional(),
  }),
);

export type NewRequestBody = z.input<typeof newRequestSchema>;

export const issuedCredentialSchema = named(
  'IssuedCredential',
  z
    .object({ kubeconfig: z.string(), refusedAfter: instant, grantExpiresAt: instant })
    .describe('kubeconfig YAML with refusedAfter and grantExpiresAt'),
);
export type IssuedCredentialView = z.output<typeof issuedCredentialSchema>;
