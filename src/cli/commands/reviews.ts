import type { Command } from 'commander';
import { parseDuration } from '../../access/index.js';
import { localPrincipal } from '../../identity/index.js';
import {
  type Campaign,
  campaignWithCounts,
  countItems,
  createCampaign,
  getCampaign,
  getItem,
  grantLabel,
  listCampaigns,
  listItems,
  parseDeadline,
  parseDefaultAction,
  parseItemState,
  parseLabelSelector,
  parseReminderOffsets,
  parseReviewer,
  parseSubjectKind,
  parseUsageWindow,
  type ReviewItem,
  subjectLabel,
  type UsageSummary,
  usageFromAuditLog,
  usageOfItems,
} from '../../reviews/index.js';
import type { CommandContext, Runner } from '../context.js';
import { withGatehouse, withStore } from '../open-store.js';
import { render, sanitize } from '../output.js';
import { registerReviewActions } from './reviews-actions.js';
import { recurrenceLines, recurrenceWord } from './reviews-recurrence.js';
import { usageLines, usageWord } from './reviews-usage.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface CreateFlags {
  readonly name: string;
  readonly cluster?: string[];
  readonly run?: string;
  readonly namespace?: string[];
  readonly selector?: string;
  readonly role?: string[];
  readonly clusterAdmin?: boolean;
  readonly subjectKind?: string[];
  readonly includeSystem?: boolean;
  readonly owners?: boolean;
  readonly reviewer?: string;
  readonly fallback: string;
  readonly deadline: string;
  readonly defaultAction: string;
  readonly remind?: string;
  readonly every?: string;
}

const campaignColumns = (counts: Map<string, { done: number; total: number }>) => [
  { header: 'ID', value: (row: Campaign) => row.id.slice(0, 8) },
  { header: 'NAME', value: (row: Campaign) => row.name },
  { header: 'CLUSTER', value: (row: Campaign) => row.cluster },
  { header: 'STATE', value: (row: Campaign) => row.state },
  {
    header: 'DONE',
    value: (row: Campaign) => `${counts.get(row.id)?.done ?? 0}/${counts.get(row.id)?.total ?? 0}`,
  },
  { header: 'DEADLINE', value: (row: Campaign) => row.deadlineAt },
  { header: 'DEFAULT', value: (row: Campaign) => row.defaultAction },
  { header: 'RECURS', value: recurrenceWord },
];

type ItemRow = ReviewItem & { readonly usage: UsageSummary };

export const itemColumns = [
  { header: 'ITEM', value: (row: ItemRow) => row.id.slice(0, 8) },
  { header: 'SUBJECT', value: (row: ItemRow) => subjectLabel(row.subject) },
  { header: 'GRANT', value: (row: ItemRow) => grantLabel(row.grant) },
  { header: 'RISK', value: (row: ItemRow) => row.severity ?? '-' },
  { header: 'OTHERS', value: (row: ItemRow) => String(row.holders) },
  { header: 'REVIEWER', value: (row: ItemRow) => row.reviewer },
  { header: 'STATE', value: (row: ItemRow) => row.state },
  {
    header: 'LAST USED',
    value: (row: ItemRow) => (row.usage.kind === 'summary' ? (row.usage.lastUsedAt ?? 'never') : 'unknown'),
  },
  { header: 'USAGE', value: (row: ItemRow) => usageWord(row.usage) },
];

async function create(context: CommandContext, flags: CreateFlags): Promise<number> {
  const created = await withGatehouse(context, async (gatehouse) => {
    const store = await gatehouse.store();
    const clusters = flags.cluster?.length ? flags.cluster : [gatehouse.currentCluster()];
    const scope = {
      ...(flags.namespace?.length ? { namespaces: flags.namespace } : {}),
      ...(flags.selector ? { namespaceSelector: parseLabelSelector(flags.selector) } : {}),
      ...(flags.role?.length ? { roles: flags.role } : {}),
      ...(flags.clusterAdmin ? { clusterAdminEquivalent: true } : {}),
      ...(flags.subjectKind?.length ? { subjectKinds: flags.subjectKind.map(parseSubjectKind) } : {}),
      ...(flags.includeSystem ? { includeSystem: true } : {}),
    };
    const reviewers = {
      ...(flags.owners ? { namespaceOwners: true } : {}),
      ...(flags.reviewer ? { reviewer: parseReviewer(flags.reviewer) } : {}),
      fallback: parseReviewer(flags.fallback),
    };
    const base = {
      name: flags.name,
      scope,
      reviewers,
      deadlineAt: parseDeadline(flags.deadline),
      defaultAction: parseDefaultAction(flags.defaultAction),
      ...(flags.remind ? { reminderOffsets: parseReminderOffsets(flags.remind) } : {}),
      ...(flags.every ? { recurEverySeconds: parseDuration(flags.every, '--every') } : {}),
    };
    // One campaign per cluster: each is frozen to that cluster's own sync run.
    const made = [];
    for (const cluster of clusters)
      made.push(
        await createCampaign(
          store,
          { ...base, cluster, ...(flags.run ? { runId: flags.run } : {}) },
          { principal: localPrincipal() },
        ),
      );
    return made;
  });
  const document = created.map(({ campaign, items }) => ({ ...campaign, items: items.length }));
  context.stdout(
    render(
      context.output,
      document,
      [
        { header: 'ID', value: (row) => row.id },
        { header: 'CLUSTER', value: (row) => row.cluster },
        { header: 'ITEMS', value: (row) => String(row.items) },
        { header: 'SNAPSHOT', value: (row) => row.snapshotHash.slice(0, 16) },
        { header: 'DEADLINE', value: (row) => row.deadlineAt },
      ],
      document.length === 1 ? document[0] : document,
    ),
  );
  return 0;
}

function registerCreate(reviews: Command, run: Runner): void {
  reviews
    .command('create')
    .description(
      'Open a campaign over the latest sync of each cluster (or --run): one item per subject × grant in scope',
    )
    .requiredOption('--name <name>', 'what the campaign is, e.g. "Q4 2026 production access"')
    .option(
      '--cluster <name>',
      'cluster (repeatable; default: the current context); one campaign each',
      collect,
    )
    .option('--run <id>', 'the sync run to freeze (default: the latest usable one)')
    .option('-n, --namespace <ns>', 'only grants in this namespace (repeatable)', collect)
    .option('-l, --selector <labels>', 'only grants in namespaces whose labels match, e.g. env=prod')
    .option('--role <role>', 'only this role: NAME, ClusterRole/NAME or Role/NS/NAME (repeatable)', collect)
    .option('--cluster-admin', 'only grants equivalent to cluster-admin')
    .option('--subject-kind <kind>', 'User, Group, ServiceAccount or IamPrincipal (repeatable)', collect)
    .option('--include-system', "include Kubernetes' own bindings and system: subjects")
    .option('--owners', 'namespaced items go to the owners in the namespace annotation gatehouse.dev/owners')
    .option('--reviewer <who>', 'reviewer of items without owners: user:NAME or group:NAME')
    .requiredOption('--fallback <who>', 'reviewer of everything else and of reviewers’ own access')
    .requiredOption('--deadline <when>', 'ISO time or a duration from now (14d)')
    .option('--default-action <action>', 'at the deadline: leave, revoke or escalate', 'leave')
    .option('--remind <offsets>', 'reminders before the deadline (default 7d,3d,1d; daily once overdue)')
    .option(
      '--every <period>',
      'recurring: open the next run this long after this one (e.g. 90d for quarterly)',
    )
    .action((flags: CreateFlags) => run((context) => create(context, flags)));
}

export function registerReviews(program: Command, run: Runner): void {
  const reviews = program
    .command('reviews')
    .description('Access reviews: campaigns that certify or revoke access, proven on the cluster');
  registerCreate(reviews, run);
  reviews
    .command('list')
    .description('Campaigns, newest first, with progress')
    .option('--state <state>', 'open or closed')
    .action((flags: { state?: 'open' | 'closed' }) =>
      run(async (context) => {
        const { campaigns, counts } = await withStore(context, async (store) => {
          const campaigns = await listCampaigns(store, flags.state ? { state: flags.state } : {});
          const counts = new Map<string, { done: number; total: number }>();
          for (const campaign of campaigns) {
            const count = await countItems(store, campaign.id);
            counts.set(campaign.id, {
              done: count.total - count.pending - count['revoke-failed'],
              total: count.total,
            });
          }
          return { campaigns, counts };
        });
        context.stdout(render(context.output, campaigns, campaignColumns(counts), campaigns));
        return 0;
      }),
    );
  reviews
    .command('show')
    .description("A campaign's items (a reviewer's queue with filters), or one item in full")
    .argument('<campaign>', 'campaign id (a unique prefix will do)')
    .argument('[item]', 'item id (a unique prefix will do)')
    .option('--state <state>', 'pending, kept, revoked, revoke-failed or left')
    .option('--reviewer <who>', 'only items for this reviewer (user:NAME or group:NAME)')
    .option('-n, --namespace <ns>', 'only items in this namespace')
    .option('--severity <severity>', 'critical, high, medium or low')
    .option(
      '--candidates',
      'only revoke candidates: items unused in the usage window (from ingested audit logs)',
    )
    .option('--usage-window <duration>', 'usage: how far before the campaign opened to look', '90d')
    .action(
      (
        id: string,
        itemId: string | undefined,
        flags: {
          state?: string;
          reviewer?: string;
          namespace?: string;
          severity?: string;
          candidates?: boolean;
          usageWindow: string;
        },
      ) =>
        run(async (context) => {
          const shown = await withStore(context, async (store) => {
            const usageOf = usageFromAuditLog(store, { windowDays: parseUsageWindow(flags.usageWindow) });
            const campaign = await getCampaign(store, id);
            if (itemId) {
              const item = await getItem(store, campaign.id, itemId);
              return { kind: 'item' as const, item: { ...item, usage: await usageOf(item) } };
            }
            const filter = {
              ...(flags.state ? { state: parseItemState(flags.state) } : {}),
              ...(flags.reviewer ? { reviewer: parseReviewer(flags.reviewer) } : {}),
              ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
              ...(flags.severity ? { severity: flags.severity } : {}),
            };
            const listed = await listItems(store, campaign.id, filter);
            const usage = await usageOfItems(usageOf, listed);
            const items: ItemRow[] = [];
            for (const item of listed) {
              const found = usage.get(item.id) ?? { kind: 'unknown' as const };
              if (!flags.candidates || (found.kind === 'summary' && found.revokeCandidate))
                items.push({ ...item, usage: found });
            }
            return { ...(await campaignWithCounts(store, campaign.id)), items };
          });
          if (shown.kind === 'item') {
            context.stdout(
              context.output === 'table' ? itemText(shown.item) : render(context.output, [], [], shown.item),
            );
            return 0;
          }
          if (context.output === 'table') {
            const { campaign, counts } = shown;
            context.stdout(
              `${campaign.name} (${campaign.id}) on ${campaign.cluster}: ${campaign.state}, deadline ${campaign.deadlineAt}, default ${campaign.defaultAction}\n`,
            );
            context.stdout(
              `snapshot ${campaign.syncRunId.slice(0, 8)} sha256 ${campaign.snapshotHash}; ${counts.total} items: ${counts.pending} pending, ${counts.kept} kept, ${counts.revoked} revoked, ${counts['revoke-failed']} revoke failed, ${counts.left} left\n`,
            );
            for (const line of recurrenceLines(campaign)) context.stdout(`${sanitize(line)}\n`);
            context.stdout('\n');
          }
          const { kind: _, ...document } = shown;
          context.stdout(render(context.output, shown.items, itemColumns, document));
          return 0;
        }),
    );
  registerReviewActions(reviews, run);
}

function itemText(item: ItemRow): string {
  const lines = [
    `item       ${item.id}`,
    `subject    ${subjectLabel(item.subject)}`,
    `grant      ${grantLabel(item.grant)}`,
    `risk       ${item.severity ?? 'none'}${item.risks.map((risk) => `\n  ${risk.severity} ${risk.check}: ${risk.path}`).join('')}`,
    `others     ${item.holders} other subject(s) hold the same role here`,
    `reviewer   ${item.reviewer} (${item.reviewerRule})`,
    `state      ${item.state}`,
    ...usageLines(item.usage),
    ...(item.decision
      ? [
          `decision   ${item.decision.kind} by ${item.decision.by} at ${item.decision.at}: ${item.decision.reason}`,
        ]
      : []),
    ...(item.revocation
      ? [
          `revocation ${item.revocation.status}: ${item.revocation.changes.join('; ')}${item.revocation.error ? ` (${item.revocation.error})` : ''}`,
        ]
      : []),
    ...(item.revocation?.proof ? [`proof      ${JSON.stringify(item.revocation.proof)}`] : []),
    ...item.notes.map(
      (note) => `note       ${note.at} ${note.by} ${note.kind} ${note.from} → ${note.to}: ${note.comment}`,
    ),
  ];
  return `${lines.map((line) => sanitize(line)).join('\n')}\n`;
}
