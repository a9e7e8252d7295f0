import { appendAudit } from '../audit/index.js';
import { withContext } from '../errors.js';
import {
  isShellless,
  listTargets,
  type MethodName,
  type Permission,
  preflight,
  probeShell,
  systemNamespaces,
  type Target,
} from '../forensics/index.js';
import { hasRole, type Principal, requireRole } from '../identity/index.js';
import { type KubeClient, listAll, whoAmI } from '../kube/index.js';
import { mapLimit } from '../map-limit.js';
import type { Store } from '../store/index.js';

/** Responders acquire; auditors (and admins) see the same pages without the acquire buttons. */
export function requireForensicsReader(principal: Principal, doing: string): void {
  if (!hasRole(principal, 'auditor')) requireRole(principal, 'responder', doing);
}

/** The same check, with a refusal recorded (`forensics.view`, denied) before the 403 page. */
export async function refuseUnlessForensicsReader(
  store: Store,
  principal: Principal,
  asked: { doing: string; target: string },
): Promise<void> {
  if (hasRole(principal, 'auditor') || hasRole(principal, 'responder')) return;
  await appendAudit(store, {
    actor: principal.subject,
    action: 'forensics.view',
    target: asked.target.slice(0, 120),
    outcome: 'denied',
    details: { reason: `needs the responder or auditor role to ${asked.doing}` },
  });
  requireForensicsReader(principal, asked.doing);
}

/** Why a namespace or container is not listed until the switch is on. */
export type HiddenReason =
  | { readonly kind: 'system-namespace'; readonly namespace: string }
  | { readonly kind: 'no-shell-image'; readonly image: string }
  | { readonly kind: 'no-shell-probe' };

export function describeHidden(reason: HiddenReason): string {
  switch (reason.kind) {
    case 'system-namespace':
      return "system namespace: the cluster's own machinery, not workloads";
    case 'no-shell-image':
      return 'no shell in the image (distroless): exec cannot run the collector, an ephemeral debug container can';
    case 'no-shell-probe':
      return 'no shell found by the probe: exec cannot run the collector, an ephemeral debug container can';
    default: {
      const unknown: never = reason;
      return unknown;
    }
  }
}

export function namespaceHidden(namespace: string): HiddenReason | undefined {
  return systemNamespaces.has(namespace) ? { kind: 'system-namespace', namespace } : undefined;
}

/** The reason behind a target's `hidden`, as a value the page can word and tests can match. */
export function hiddenReasonOf(target: Target): HiddenReason | undefined {
  const namespace = namespaceHidden(target.namespace);
  if (namespace) return namespace;
  if (isShellless(target.image)) return { kind: 'no-shell-image', image: target.image };
  // Outside system namespaces and shell-less images, only the shell probe hides a target.
  return target.hidden ? { kind: 'no-shell-probe' } : undefined;
}

export interface NamespaceRow {
  readonly name: string;
  readonly hidden: HiddenReason | undefined;
}

/** The cluster's namespaces, sorted, each with why it is hidden, if it is. */
export async function listNamespaces(client: KubeClient, cluster: string): Promise<NamespaceRow[]> {
  try {
    const { items } = await listAll<{ metadata: { name: string } }>(client, { path: '/api/v1/namespaces' });
    return items
      .map((item) => ({ name: item.metadata.name, hidden: namespaceHidden(item.metadata.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    throw withContext(error, `listing namespaces in cluster "${cluster}"`);
  }
}

export interface PodRow {
  readonly name: string;
  readonly node: string;
  readonly serviceAccount: string;
  readonly containers: readonly Target[];
  /** Set when every container of the pod is hidden: the first container's reason. */
  readonly hidden: HiddenReason | undefined;
}

/** The containers of a namespace. */
export async function targetsIn(
  client: KubeClient,
  where: { cluster: string; namespace: string },
): Promise<Target[]> {
  try {
    return await listTargets(client, { namespace: where.namespace });
  } catch (error) {
    throw withContext(error, `listing pods in ${where.namespace} on cluster "${where.cluster}"`);
  }
}

/** Each target after one shell probe (an exec each, eight at a time): for a pod's few containers, not a namespace. */
export async function probed(client: KubeClient, targets: readonly Target[]): Promise<Target[]> {
  return await mapLimit(targets, 8, (target) => probeShell(client, target));
}

/** Containers grouped by pod, pods in name order. */
export function podsOf(targets: readonly Target[]): PodRow[] {
  const byPod = new Map<string, Target[]>();
  for (const target of targets) byPod.set(target.pod, [...(byPod.get(target.pod) ?? []), target]);
  return [...byPod.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, containers]) => {
      const reasons = containers.map(hiddenReasonOf);
      const first = containers[0]!;
      return {
        name,
        node: first.node,
        serviceAccount: first.serviceAccount,
        containers,
        hidden: reasons.every(Boolean) ? reasons[0] : undefined,
      };
    });
}

/** One way to reach a container, and what the apiserver said of Gatehouse's permissions for it. */
export interface MethodCheck {
  readonly method: MethodName;
  readonly missing: readonly Permission[];
  readonly degraded: readonly Permission[];
}

/** The preflight of every method that applies, asked before anything runs (SelfSubjectAccessReviews only). */
export async function checkMethods(client: KubeClient, target: Target): Promise<MethodCheck[]> {
  return await Promise.all(
    target.methods.map(async (method) => ({
      method,
      ...(await preflight(client, method, target.namespace)),
    })),
  );
}

/** Who Gatehouse is on the cluster, for the preflight's "who lacks what"; unknown on old clusters. */
export async function identityOn(client: KubeClient): Promise<string | undefined> {
  try {
    return (await whoAmI(client)).username || undefined;
  } catch {
    // SelfSubjectReview is missing before Kubernetes 1.28: the page then says "Gatehouse's identity".
    return undefined;
  }
}
