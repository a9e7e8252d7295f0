import { parseDuration } from '../access/index.js';
import { describeError } from '../errors.js';
import { describeRule, type PolicyRule, type SubjectRef } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import {
  type GrantScope,
  smallerRole,
  type UsageAnswer,
  type UsedPermission,
  unusedGrants,
  usageOf,
} from '../usage/index.js';
import { getCampaign } from './repository.js';
import { frozenSnapshot } from './revocations.js';
import type { Campaign, ReviewItem, ReviewSubject, UsageOf, UsageSummary } from './types.js';

export interface ReviewUsageOptions {
  /** Days before a campaign opened that its review window reaches back (default 90). */
  readonly windowDays?: number;
  readonly now?: () => Date;
}

export const defaultUsageWindowDays = 90;
const dayMs = 86_400_000;
/** Role rules per campaign, kept because a campaign's snapshot is frozen; bounded for long-lived servers. */
const cachedCampaigns = 8;

type RoleRules = ReadonlyMap<string, readonly PolicyRule[]>;

/**
 * The usage port of access reviews, answered from the ingested Kubernetes audit logs: for each item,
 * what its subject used of the grant's role (from the campaign's frozen snapshot, in the binding's
 * namespace) between `windowDays` before the campaign opened and its close (or now), so a reviewer
 * deciding today also sees use during the campaign. Failures are a value: the item says why usage
 * is unknown.
 *
 * @example
 * createApp({ store, ..., usageOf: usageFromAuditLog(store, { windowDays: 90 }) });
 */
export function usageFromAuditLog(store: Store, options: ReviewUsageOptions = {}): UsageOf {
  const days = options.windowDays ?? defaultUsageWindowDays;
  const roles = new Map<string, Promise<RoleRules>>();
  const rolesOf = (campaign: Campaign): Promise<RoleRules> => {
    const found = roles.get(campaign.id);
    if (found) return found;
    const loaded = frozenSnapshot(store, campaign).then(roleIndex);
    loaded.catch(() => roles.delete(campaign.id));
    if (roles.size >= cachedCampaigns) roles.delete(roles.keys().next().value as string);
    roles.set(campaign.id, loaded);
    return loaded;
  };
  return async (item) => {
    try {
      const campaign = await getCampaign(store, item.campaignId);
      const now = options.now?.() ?? new Date();
      const end =
        campaign.closedAt && Date.parse(campaign.closedAt) < now.getTime()
          ? new Date(campaign.closedAt)
          : now;
      const answer = await usageOf(store, {
        cluster: campaign.cluster,
        subject: subjectRefOf(item.subject),
        since: new Date(Date.parse(campaign.createdAt) - days * dayMs),
        until: end,
      });
      if (answer.kind === 'unknown') return { kind: 'unknown', why: answer.reason };
      return summarize(item, answer, await rulesOf(item, () => rolesOf(campaign)));
    } catch (error) {
      return { kind: 'unknown', why: `usage could not be read: ${describeError(error)}` };
    }
  };
}

function subjectRefOf(subject: ReviewSubject): SubjectRef {
  switch (subject.kind) {
    case 'User':
      return { kind: 'user', name: subject.name };
    case 'Group':
      return { kind: 'group', name: subject.name };
    case 'ServiceAccount':
      return { kind: 'serviceaccount', namespace: subject.namespace ?? '', name: subject.name };
    case 'IamPrincipal':
      return { kind: 'iam', arn: subject.name };
    default: {
      const unknown: never = subject.kind;
      throw new Error(`unknown subject kind ${String(unknown)}`);
    }
  }
}

function roleIndex(read: Awaited<ReturnType<typeof frozenSnapshot>>): RoleRules {
  const index = new Map<string, readonly PolicyRule[]>();
  for (const role of read.clusterRoles) index.set(`ClusterRole/${role.metadata.name}`, role.rules ?? []);
  for (const role of read.roles)
    index.set(`Role/${role.metadata.namespace ?? ''}/${role.metadata.name}`, role.rules ?? []);
  return index;
}

/** The grant's rules and where they apply; undefined for grants without rules (aws-auth, EKS policies). */
async function rulesOf(
  item: ReviewItem,
  roles: () => Promise<RoleRules>,
): Promise<{ rules: readonly PolicyRule[]; scope: GrantScope } | undefined> {
  const grant = item.grant;
  if (grant.type !== 'binding') return undefined;
  const key =
    grant.roleRef.kind === 'ClusterRole'
      ? `ClusterRole/${grant.roleRef.name}`
      : `Role/${grant.namespace ?? ''}/${grant.roleRef.name}`;
  const rules = (await roles()).get(key) ?? [];
  return { rules, scope: grant.bindingKind === 'RoleBinding' ? { namespace: grant.namespace ?? '' } : {} };
}

function summarize(
  item: ReviewItem,
  answer: Extract<UsageAnswer, { kind: 'known' }>,
  role: { rules: readonly PolicyRule[]; scope: GrantScope } | undefined,
): UsageSummary {
  // Only what the ingested logs cover: "unused" never claims the time before or after them.
  const window = {
    from: answer.complete ? answer.window.since : answer.evidence.from,
    to:
      Date.parse(answer.evidence.to) < Date.parse(answer.window.until)
        ? answer.evidence.to
        : answer.window.until,
  };
  if (!role) {
    const relevant = permissionsInScope(item, answer.permissions);
    return { kind: 'summary', ...uses(relevant), window, revokeCandidate: relevant.length === 0 };
  }
  const grants = unusedGrants(role.rules, answer, role.scope);
  if (grants.kind === 'unknown') return { kind: 'unknown', why: grants.reason };
  const relevant = [...new Set(grants.used.flatMap((rule) => rule.used))];
  const smaller = smallerRole(role.rules, relevant, role.scope);
  return {
    kind: 'summary',
    ...uses(relevant),
    window,
    revokeCandidate: relevant.length === 0,
    unusedRules: grants.unused.map((rule) => describeRule(rule.rule)),
    ...(smaller.length > 0 ? { smallerRole: smaller } : {}),
  };
}

/** An EKS access policy scoped to namespaces covers only uses there; aws-auth covers all the ARN did. */
function permissionsInScope(
  item: ReviewItem,
  permissions: readonly UsedPermission[],
): readonly UsedPermission[] {
  const grant = item.grant;
  if (grant.type !== 'access-policy' || grant.accessScope.type === 'cluster') return permissions;
  const namespaces = new Set(grant.accessScope.namespaces ?? []);
  return permissions.filter((permission) => namespaces.has(permission.namespace));
}

function uses(permissions: readonly UsedPermission[]): { lastUsedAt?: string; requests: number } {
  let lastUsedAt: string | undefined;
  let requests = 0;
  for (const permission of permissions) {
    requests += permission.count;
    if (lastUsedAt === undefined || permission.lastUsed > lastUsedAt) lastUsedAt = permission.lastUsed;
  }
  return { ...(lastUsedAt ? { lastUsedAt } : {}), requests };
}

/** `--usage-window 90d` → days (any duration `parseDuration` reads; `30d`, `2160h`). */
export function parseUsageWindow(text: string, flag = '--usage-window'): number {
  return parseDuration(text, flag) / 86_400;
}

/**
 * How long a usage window is, in words ("90 days", "5 hours"): for "unused in the last …". A window
 * the ingested logs cover only in part is short, and says so rather than claiming the full period.
 */
export function usageSpan(window: { readonly from: string; readonly to: string }): string {
  const ms = Math.max(0, Date.parse(window.to) - Date.parse(window.from));
  const [count, unit] =
    ms >= dayMs
      ? [Math.round(ms / dayMs), 'day']
      : ms >= 3_600_000
        ? [Math.round(ms / 3_600_000), 'hour']
        : [Math.max(1, Math.round(ms / 60_000)), 'minute'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** Rules as Kubernetes writes them in a Role, for a reviewer to copy. */
export function rulesYaml(rules: readonly PolicyRule[]): string {
  const list = (values: readonly string[]) => `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
  const lines = ['rules:'];
  for (const rule of rules) {
    const fields: [string, readonly string[] | undefined][] = [
      ['apiGroups', rule.apiGroups],
      ['resources', rule.resources],
      ['resourceNames', rule.resourceNames],
      ['nonResourceURLs', rule.nonResourceURLs],
      ['verbs', rule.verbs],
    ];
    const present = fields.filter((field): field is [string, readonly string[]] => field[1] !== undefined);
    present.forEach(([name, values], index) => {
      lines.push(`${index === 0 ? '- ' : '  '}${name}: ${list(values)}`);
    });
  }
  return lines.join('\n');
}

/** "unused in the last 90 days", or "unused in the 87 days to 2026-11-28" when the logs end earlier. */
export function unusedText(
  window: { readonly from: string; readonly to: string },
  now: Date = new Date(),
): string {
  const current = now.getTime() - Date.parse(window.to) < 3_600_000;
  return current
    ? `unused in the last ${usageSpan(window)}`
    : `unused in the ${usageSpan(window)} to ${window.to.slice(0, 10)}`;
}
