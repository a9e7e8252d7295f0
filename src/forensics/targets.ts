import { type KubeClient, listAll } from '../kube/index.js';

/** The namespaces a target list hides by default: cluster and platform machinery, not workloads. */
export const systemNamespaces: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'gke-gmp-system',
  'aks-command',
  'gmp-system',
  'calico-system',
  'tigera-operator',
]);

export type MethodName = 'exec' | 'ephemeral';

export interface Target {
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string;
  readonly container: string;
  readonly node: string;
  readonly image: string;
  readonly imageDigest: string;
  readonly containerId: string;
  readonly state: string;
  readonly startedAt: string;
  readonly serviceAccount: string;
  /** Acquisition methods that apply, best first. */
  readonly methods: readonly MethodName[];
  /** Why it is hidden by default (shown with --all). */
  readonly hidden: string | undefined;
}

interface PodObject {
  readonly metadata: { name: string; namespace: string; uid: string };
  readonly spec: {
    nodeName?: string;
    serviceAccountName?: string;
    containers: { name: string; image: string }[];
  };
  readonly status?: {
    phase?: string;
    containerStatuses?: {
      name: string;
      imageID?: string;
      containerID?: string;
      state?: {
        running?: { startedAt?: string };
        waiting?: { reason?: string };
        terminated?: { reason?: string };
      };
    }[];
  };
}

/** Images known to carry no shell: exec of sh cannot work, the ephemeral method can. */
export function isShellless(image: string): boolean {
  return /(^|\/)distroless\//.test(image) || /^cgr\.dev\/chainguard\/static/.test(image);
}

export interface TargetQuery {
  /** One namespace, or undefined for all. */
  readonly namespace?: string;
  readonly labelSelector?: string;
}

/** Namespaces → pods → containers, with what applies to each and why some are hidden. */
export async function listTargets(client: KubeClient, query: TargetQuery): Promise<Target[]> {
  const path = query.namespace
    ? `/api/v1/namespaces/${encodeURIComponent(query.namespace)}/pods`
    : '/api/v1/pods';
  const { items } = await listAll<PodObject>(client, {
    path,
    ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
  });
  return items.flatMap((pod) => pod.spec.containers.map((container) => toTarget(pod, container)));
}

function toTarget(pod: PodObject, container: { name: string; image: string }): Target {
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === container.name);
  const state = status?.state?.running
    ? 'running'
    : (status?.state?.waiting?.reason ?? status?.state?.terminated?.reason ?? pod.status?.phase ?? 'unknown');
  const running = state === 'running';
  const shellless = isShellless(container.image);
  const methods: MethodName[] = running ? (shellless ? ['ephemeral'] : ['exec', 'ephemeral']) : [];
  const hidden = systemNamespaces.has(pod.metadata.namespace)
    ? `system namespace ${pod.metadata.namespace}`
    : shellless
      ? 'no shell in the image (acquire with --method ephemeral)'
      : undefined;
  return {
    namespace: pod.metadata.namespace,
    pod: pod.metadata.name,
    podUid: pod.metadata.uid,
    container: container.name,
    node: pod.spec.nodeName ?? '',
    image: container.image,
    imageDigest: status?.imageID?.split('@')[1] ?? '',
    containerId: status?.containerID ?? '',
    state,
    startedAt: status?.state?.running?.startedAt ?? '',
    serviceAccount: pod.spec.serviceAccountName ?? 'default',
    methods,
    hidden,
  };
}
