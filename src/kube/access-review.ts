import type { KubeClient } from './client.js';

export interface ResourceAttributes {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface AccessAnswer {
  readonly allowed: boolean;
  readonly denied: boolean;
  readonly reason: string;
}

interface ReviewStatus {
  readonly status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** Asks the apiserver whether the caller may do something (SelfSubjectAccessReview). */
export async function canI(client: KubeClient, attributes: ResourceAttributes): Promise<AccessAnswer> {
  const review = await client.request<ReviewStatus>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: attributes },
    },
  });
  return toAnswer(review);
}

export interface SubjectAccessSpec {
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly uid?: string;
  readonly resourceAttributes?: ResourceAttributes;
  readonly nonResourceAttributes?: { readonly path: string; readonly verb: string };
}

/** Asks the apiserver whether someone else may do something (SubjectAccessReview). */
export async function subjectCan(client: KubeClient, spec: SubjectAccessSpec): Promise<AccessAnswer> {
  const review = await client.request<ReviewStatus>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
  });
  return toAnswer(review);
}

function toAnswer(review: ReviewStatus): AccessAnswer {
  const status = review.status ?? {};
  return {
    allowed: status.allowed === true,
    denied: status.denied === true,
    reason: status.reason ?? status.evaluationError ?? '',
  };
}
