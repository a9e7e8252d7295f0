import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRead } from '../inventory/index.js';
import { type KubeClient, type SubjectAccessSpec, subjectCan } from '../kube/index.js';
import {
  appliesInNamespace,
  bindingLabel,
  canonicalizeArn,
  describeRule,
  identityOf,
  type PolicyRule,
  parseAwsAuth,
  RbacIndex,
  ruleAllowsNonResource,
  ruleAllowsResource,
  superuserGroup,
} from '../rbac/index.js';
import type { ReviewItem, RevocationProof } from './types.js';

/** One request a revoked grant used to allow, asked of the apiserver afterwards. */
export interface Question {
  readonly text: string;
  readonly spec: Omit<SubjectAccessSpec, 'user' | 'groups'>;
}

/** The identity the apiserver would see for the item's subject (groups it always carries included). */
export function identityFor(item: ReviewItem): { user: string; groups: string[] } | undefined {
  const { subject } = item;
  switch (subject.kind) {
    case 'User':
      return identityOf({ kind: 'user', name: subject.name });
    case 'Group':
      // A user who is in nothing but this group: whatever the review probe may do, the group may.
      return { user: 'gatehouse:review-probe', groups: [subject.name] };
    case 'ServiceAccount':
      return identityOf({ kind: 'serviceaccount', namespace: subject.namespace ?? '', name: subject.name });
    case 'IamPrincipal':
      return undefined;
    default: {
      const unknown: never = subject.kind;
      return unknown;
    }
  }
}

/** The rules the item's role had in the frozen snapshot. */
export function rulesOf(item: ReviewItem, read: ClusterRead): readonly PolicyRule[] | undefined {
  if (item.grant.type !== 'binding') return undefined;
  const { roleRef, namespace } = item.grant;
  const role =
    roleRef.kind === 'ClusterRole'
      ? read.clusterRoles.find((candidate) => candidate.metadata.name === roleRef.name)
      : read.roles.find(
          (candidate) =>
            candidate.metadata.name === roleRef.name && candidate.metadata.namespace === namespace,
        );
  return role?.rules;
}

/** One request per rule: the first verb, group and resource it names, where the binding applies. */
export function questionsFor(item: ReviewItem, rules: readonly PolicyRule[]): Question[] {
  const namespace = item.grant.type === 'binding' ? item.grant.namespace : undefined;
  return rules.slice(0, 20).flatMap((rule): Question[] => {
    const verb = rule.verbs[0];
    if (!verb) return [];
    if (rule.nonResourceURLs?.length) {
      if (namespace) return []; // RoleBindings never grant non-resource URLs
      const path = rule.nonResourceURLs[0]!;
      return [{ text: `${verb} ${path}`, spec: { nonResourceAttributes: { path, verb } } }];
    }
    const [resource, subresource] = (rule.resources?.[0] ?? '').split('/');
    if (!resource) return [];
    const group = rule.apiGroups?.[0] ?? '';
    const name = rule.resourceNames?.[0];
    const text = `${verb} ${group || 'core'}/${rule.resources?.[0]}${name ? `/${name}` : ''}${namespace ? ` in ${namespace}` : ' cluster-wide'}`;
    const attributes = {
      verb,
      group,
      resource,
      ...(subresource ? { subresource } : {}),
      ...(name ? { name } : {}),
      ...(namespace ? { namespace } : {}),
    };
    return [{ text, spec: { resourceAttributes: attributes } }];
  });
}

/**
 * Asks the apiserver (SubjectAccessReview) whether the subject may still do what the revoked grant
 * allowed. Its authorizer watches RBAC objects, so a few quick retries wait out its cache; what is
 * still allowed afterwards is explained from a fresh read: binding → role → rule.
 */
export async function proveRevoked(
  client: KubeClient,
  item: ReviewItem,
  read: ClusterRead,
  options: { readonly settleMs?: number; readonly freshRead: () => Promise<ClusterRead> },
): Promise<RevocationProof> {
  if (item.grant.type === 'aws-auth') return await awsAuthProof(item.subject.name, options.freshRead);
  const identity = identityFor(item);
  if (!identity)
    return {
      kind: 'not-checked',
      why: 'EKS access policies are authorized outside RBAC: check the access entry in EKS',
    };
  const rules = rulesOf(item, read);
  if (!rules)
    return { kind: 'not-checked', why: 'the role did not exist in the snapshot: the grant allowed nothing' };
  const questions = questionsFor(item, rules);
  if (questions.length === 0) return { kind: 'not-checked', why: 'the role had no rule to ask about' };
  const deadline = Date.now() + (options.settleMs ?? 3000);
  let allowed: Question[] = [];
  for (;;) {
    allowed = [];
    for (const question of questions)
      if ((await subjectCan(client, { ...identity, ...question.spec })).allowed) allowed.push(question);
    if (allowed.length === 0 || Date.now() >= deadline) break;
    await sleep(250);
  }
  const checked = questions.map((question) => question.text);
  if (allowed.length === 0) return { kind: 'gone', checked };
  const index = new RbacIndex(await options.freshRead());
  const paths = [...new Set(allowed.flatMap((question) => grantPaths(index, identity, question)))];
  return {
    kind: 'still-granted',
    checked,
    paths:
      paths.length > 0 ? paths : allowed.map((q) => `${q.text}: allowed by an authorizer other than RBAC`),
  };
}

/** Every binding → role → rule that lets the identity ask the question. */
export function grantPaths(
  index: RbacIndex,
  identity: { user: string; groups: readonly string[] },
  question: Question,
): string[] {
  if (identity.groups.includes(superuserGroup)) return [`member of ${superuserGroup} (superuser)`];
  const resource = question.spec.resourceAttributes;
  const nonResource = question.spec.nonResourceAttributes;
  const namespace = resource?.namespace ?? '';
  return index.bindingsFor(identity.user, identity.groups).flatMap(({ binding, rules }) => {
    if (binding.kind === 'RoleBinding' && !appliesInNamespace(binding, namespace)) return [];
    const rule = rules.find((candidate) =>
      resource
        ? ruleAllowsResource(candidate, resource)
        : nonResource
          ? ruleAllowsNonResource(candidate, nonResource)
          : false,
    );
    if (!rule) return [];
    return [
      `${bindingLabel(binding).replaceAll('"', '')} → ${binding.roleRef.kind} ${binding.roleRef.name} → ${describeRule(rule)}`,
    ];
  });
}

/** aws-auth is read by the authenticator: the proof is that a fresh read of it no longer maps the principal. */
async function awsAuthProof(arn: string, freshRead: () => Promise<ClusterRead>): Promise<RevocationProof> {
  const read = await freshRead();
  const awsAuth = read.awsAuth?.data ? parseAwsAuth(read.awsAuth.data) : undefined;
  const canonical = (value: string) => canonicalizeArn(value)?.canonical ?? value;
  const wanted = canonical(arn);
  const still = [
    ...(awsAuth?.mapRoles ?? []).filter((m) => canonical(m.rolearn) === wanted).map(() => 'mapRoles'),
    ...(awsAuth?.mapUsers ?? []).filter((m) => canonical(m.userarn) === wanted).map(() => 'mapUsers'),
  ];
  const checked = [`kube-system/aws-auth maps ${arn}`];
  return still.length === 0
    ? { kind: 'gone', checked }
    : { kind: 'still-granted', checked, paths: still.map((key) => `kube-system/aws-auth ${key} → ${arn}`) };
}
