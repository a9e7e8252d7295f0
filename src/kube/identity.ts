import type { KubeClient } from './client.js';

export interface KubeIdentity {
  readonly username: string;
  readonly groups: string[];
}

/** Who the API server says the caller is (SelfSubjectReview, Kubernetes 1.28+). */
export async function whoAmI(client: KubeClient): Promise<KubeIdentity> {
  const review = await client.request<{ status?: { userInfo?: { username?: string; groups?: string[] } } }>({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return { username: review.status?.userInfo?.username ?? '', groups: review.status?.userInfo?.groups ?? [] };
}
