import { parseDuration } from '../access/index.js';
import { describeError } from '../errors.js';
import type { PolicyRule } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import {
  type SubjectKey,
  subjectKeyOf,
  usageOfMany as subjectsUsage,
  usageOf,
  type WindowUsage,
} from '../usage/index.js';
import { getCampaign } from './repository.js';
import { frozenSnapshot } from './revocations.js';
import type { Campaign, ReviewItem, UsageOf, UsageSummary } from './types.js';
import { type RoleRules, roleIndex, rulesOf, subjectRefOf, summarize } from './usage-summary.js';

export interface ReviewUsageOptions {
  /** Days before a campaign opened that its review window reaches back (default 90). */
  readonly windowDays?: number;
  readonly now?: () => Date;
}

export const defaultUsageWindowDays = 90;
const dayMs = 86_400_000;
/** Role rules per campaign, kept because a campaign's snapshot is frozen; bounded for long-lived servers. */
const cachedCampaigns = 8;

/**
 * The usage port of access reviews, answered from the ingested Kubernetes audit logs: for each item,
 * what its subject used of the grant's role (from the campaign's frozen snapshot, in the binding's
 * namespace) between `windowDays` before the campaign opened and its close (or now), so a reviewer
 * deciding today also sees use during the campaign. Failures are a value: the item says why usage
 * is unknown. `many` answers a queue page or a whole campaign in a few queries per campaign.
 *
 * @example
 * createApp({ store, ..., usageOf: usageFromAuditLog(store, { windowDays: 90 }) });
 */
export function usageFromAuditLog(store: Store, options: ReviewUsageOptions = {}): UsageOf {
  const days = options.windowDays ?? defaultUsageWindowDays;
  const context: PortContext = {
    store,
    rolesOf: snapshotRoles(store),
    windowOf: (campaign) => reviewWindow(campaign, days, options.now?.() ?? new Date()),
  };
  return Object.assign((item: ReviewItem) => usageOfOne(context, item), {
    many: (items: readonly ReviewItem[]) => usageOfMany(context, items),
  });
}

interface PortContext {
  readonly store: Store;
  readonly rolesOf: (campaign: Campaign) => Promise<RoleRules>;
  readonly windowOf: (campaign: Campaign) => { since: Date; until: Date };
}

/** Role rules per campaign, loaded once: a campaign's snapshot is frozen. */
function snapshotRoles(store: Store): (campaign: Campaign) => Promise<RoleRules> {
  const roles = new Map<string, Promise<RoleRules>>();
  return (campaign) => {
    const found = roles.get(campaign.id);
    if (found) return found;
    const loaded = frozenSnapshot(store, campaign).then(roleIndex);
    loaded.catch(() => roles.delete(campaign.id));
    if (roles.size >= cachedCampaigns) roles.delete(roles.keys().next().value as string);
    roles.set(campaign.id, loaded);
    return loaded;
  };
}

async function usageOfOne(context: PortContext, item: ReviewItem): Promise<UsageSummary> {
  try {
    const campaign = await getCampaign(context.store, item.campaignId);
    const answer = await usageOf(context.store, {
      cluster: campaign.cluster,
      subject: subjectRefOf(item.subject),
      ...context.windowOf(campaign),
    });
    if (answer.kind === 'unknown') return { kind: 'unknown', why: answer.reason };
    const role = item.grant.type === 'binding' ? rulesOf(item, await context.rolesOf(campaign)) : undefined;
    return summarize(item, answer, role);
  } catch (error) {
    return unreadable(error);
  }
}

/** Every item's usage, in a fixed few queries per campaign the items belong to. */
async function usageOfMany(
  context: PortContext,
  items: readonly ReviewItem[],
): Promise<ReadonlyMap<string, UsageSummary>> {
  const summaries = new Map<string, UsageSummary>();
  for (const [campaignId, ofCampaign] of byCampaign(items)) {
    try {
      const campaign = await getCampaign(context.store, campaignId);
      const answers = await subjectsUsage(context.store, {
        cluster: campaign.cluster,
        subjects: ofCampaign.map((item) => subjectRefOf(item.subject)),
        ...context.windowOf(campaign),
      });
      const roles = () => context.rolesOf(campaign);
      await summarizeAll({ items: ofCampaign, answers, roles, into: summaries });
    } catch (error) {
      for (const item of ofCampaign) summaries.set(item.id, unreadable(error));
    }
  }
  return summaries;
}

/** Each item's summary from its subject's answer; a snapshot that cannot be read fails only the binding items. */
async function summarizeAll(batch: {
  readonly items: readonly ReviewItem[];
  readonly answers: ReadonlyMap<SubjectKey, WindowUsage>;
  readonly roles: () => Promise<RoleRules>;
  readonly into: Map<string, UsageSummary>;
}): Promise<void> {
  const needsRoles =
    [...batch.answers.values()].some((answer) => answer.kind === 'known') &&
    batch.items.some((item) => item.grant.type === 'binding');
  const roles = needsRoles ? await batch.roles().catch((error: unknown) => error) : undefined;
  for (const item of batch.items) {
    const answer = batch.answers.get(subjectKeyOf(subjectRefOf(item.subject)));
    if (!answer) throw new Error(`no usage answer for item ${item.id}`);
    if (answer.kind === 'known' && item.grant.type === 'binding' && !(roles instanceof Map))
      batch.into.set(item.id, unreadable(roles));
    else
      batch.into.set(
        item.id,
        summarize(item, answer, roles instanceof Map ? rulesOf(item, roles) : undefined),
      );
  }
}

/** From `days` before the campaign opened to its close, or now while it is open. */
function reviewWindow(campaign: Campaign, days: number, now: Date): { since: Date; until: Date } {
  const until =
    campaign.closedAt && Date.parse(campaign.closedAt) < now.getTime() ? new Date(campaign.closedAt) : now;
  return { since: new Date(Date.parse(campaign.createdAt) - days * dayMs), until };
}

function byCampaign(items: readonly ReviewItem[]): Map<string, ReviewItem[]> {
  const groups = new Map<string, ReviewItem[]>();
  for (const item of items) {
    const group = groups.get(item.campaignId);
    if (group) group.push(item);
    else groups.set(item.campaignId, [item]);
  }
  return groups;
}

function unreadable(error: unknown): UsageSummary {
  return { kind: 'unknown', why: `usage could not be read: ${describeError(error)}` };
}

/**
 * The usage of every item, keyed by item id: in a few queries through the port's `many` when it
 * has one, otherwise item by item.
 *
 * @example
 * const usage = await usageOfItems(options.usageOf, queue);
 */
export async function usageOfItems(
  port: UsageOf,
  items: readonly ReviewItem[],
): Promise<ReadonlyMap<string, UsageSummary>> {
  if (port.many) return await port.many(items);
  const summaries = new Map<string, UsageSummary>();
  for (const item of items) summaries.set(item.id, await port(item));
  return summaries;
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
