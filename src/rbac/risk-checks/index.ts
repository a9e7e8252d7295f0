/**
 * The risky-access catalogue: the union of the Kubernetes "RBAC Good Practices" escalation risks,
 * rbac-police's policies and KubiScan's risky roles, plus what only Gatehouse reports (public
 * grants, bindings to missing roles, aws-auth contents; see risks.ts). Each check is data: the
 * requests that make it, where a binding must apply for them to count, and a severity per scope.
 */

import { accessControlChecks } from './access-control.js';
import { clusterChecks } from './cluster.js';
import type { Check } from './types.js';
import { workloadChecks } from './workloads.js';

export type { Check, Question, RiskFinding, ScopedSeverity, Severity } from './types.js';

/** The checks in report order: cluster-admin first (it ends the rest), the wildcard rule last. */
export const checks: readonly Check[] = [
  ...accessControlChecks,
  ...workloadChecks,
  ...clusterChecks,
  {
    kind: 'wildcard',
    id: 'wildcard',
    title: 'wildcard rule (grants resources and verbs that may not exist yet)',
    severity: { cluster: 'medium', namespace: 'low' },
  },
];
