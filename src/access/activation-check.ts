import { describeError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import type { Store } from '../store/index.js';
import { listFlows } from './flow-store.js';
import type { AccessFlow } from './flows.js';
import { namespaceLabelsFor } from './namespace-labels.js';
import { clipRequest, needsNamespaceLabels, refuseRequest, verdictOf } from './policy-recheck.js';
import { type AccessRequest, listRequests } from './requests.js';

export interface ActivationCheck {
  readonly store: Store;
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  readonly now: Date;
  readonly report: { refused: string[]; errors: { cluster: string; message: string }[] };
}

/**
 * Judges every approved request against its flow as it is now, just before it is granted: a
 * request the flow no longer allows is refused, one longer than the flow's maximum is shortened.
 * Returns the ids that could not be judged this pass (their namespace labels could not be read):
 * they are not granted now, and tried again next pass.
 */
export async function holdApprovedToFlows(check: ActivationCheck): Promise<Set<string>> {
  const approved = await listRequests(check.store, 'approved');
  const unjudged = new Set<string>();
  let flows: Map<string, AccessFlow>;
  try {
    flows = new Map((await listFlows(check.store)).map((flow) => [flow.name, flow]));
  } catch (error) {
    // Nothing is granted unjudged, and the pass goes on: removals must never wait on this.
    check.report.errors.push({ cluster: '*', message: `reading access flows: ${describeError(error)}` });
    return new Set(approved.map((request) => request.id));
  }
  for (const request of approved) {
    try {
      await judge(check, request, flows.get(request.flow));
    } catch (error) {
      unjudged.add(request.id);
      check.report.errors.push({
        cluster: request.cluster,
        message: `checking request ${request.id} against flow ${request.flow}: ${describeError(error)}`,
      });
    }
  }
  return unjudged;
}

/**
 * Judges one approved request against its flow as it is now (see {@link holdApprovedToFlows}):
 * `allowed` as it stands, `clipped` (shortened, so read it again), or `refused` (ended).
 */
export async function judgeOne(
  check: ActivationCheck,
  request: AccessRequest,
): Promise<'allowed' | 'clipped' | 'refused'> {
  const flow = (await listFlows(check.store)).find((candidate) => candidate.name === request.flow);
  return await judge(check, request, flow);
}

async function judge(
  check: ActivationCheck,
  request: AccessRequest,
  flow: AccessFlow | undefined,
): Promise<'allowed' | 'clipped' | 'refused'> {
  const labels =
    needsNamespaceLabels(flow, request) && request.namespace
      ? await namespaceLabelsFor(() => check.clientFor(request.cluster))(request.namespace)
      : undefined;
  const verdict = verdictOf(flow, request, labels);
  switch (verdict.kind) {
    case 'allowed':
      return 'allowed';
    case 'clipped':
      await clipRequest(check.store, request, verdict.seconds, check.now);
      return 'clipped';
    case 'refused':
      if (await refuseRequest(check.store, request, verdict.why, check.now))
        check.report.refused.push(request.id);
      return 'refused';
    default: {
      const unknown: never = verdict;
      return unknown;
    }
  }
}
