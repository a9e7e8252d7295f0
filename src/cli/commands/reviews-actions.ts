import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { localPrincipal } from '../../identity/index.js';
import {
  type ClusterAccess,
  closeCampaign,
  type DecisionReport,
  decide,
  evidenceCsv,
  parseReviewer,
  parseUsageWindow,
  printPdf,
  reassign,
  reportHtml,
  takeEvidence,
  usageFromAuditLog,
} from '../../reviews/index.js';
import type { Gatehouse } from '../../runtime.js';
import type { CommandContext, Runner } from '../context.js';
import { withGatehouse, withStore } from '../open-store.js';
import { render, sanitize } from '../output.js';

interface DecideFlags {
  readonly keep?: boolean;
  readonly revoke?: boolean;
  readonly reason?: string;
  readonly dryRun?: boolean;
}

const clusterAccess = (gatehouse: Gatehouse): ClusterAccess => ({
  clientFor: (cluster) => gatehouse.clusters.client(cluster),
  accessEntriesFor: (cluster) => gatehouse.clusters.accessEntries(cluster),
});

function printDecisions(context: CommandContext, report: DecisionReport): number {
  if (context.output !== 'table') context.stdout(render(context.output, [], [], report));
  else {
    for (const plan of report.planned)
      context.stdout(
        `${plan.id.slice(0, 8)} dry run: ${plan.revocation.status === 'failed' ? `would fail: ${plan.revocation.error}` : plan.revocation.changes.join('; ')}\n`,
      );
    for (const item of report.decided) {
      const proof = item.revocation?.proof;
      const outcome =
        item.state === 'revoke-failed'
          ? `revoke FAILED: ${item.revocation?.error ?? ''}`
          : item.revocation
            ? `${item.state}: ${item.revocation.changes.join('; ')}${proof ? `; ${proof.kind === 'still-granted' ? `still granted by ${proof.paths.join('; ')}` : proof.kind === 'gone' ? 'SubjectAccessReview: gone' : `not checked: ${proof.why}`}` : ''}`
            : item.state;
      context.stdout(`${sanitize(`${item.id.slice(0, 8)} ${outcome}`)}\n`);
    }
  }
  for (const refused of report.refused)
    context.stderr(`${sanitize(`${refused.id.slice(0, 8)} refused: ${refused.why}`)}\n`);
  const failed =
    report.decided.some((item) => item.state === 'revoke-failed') ||
    report.planned.some((plan) => plan.revocation.status === 'failed');
  return report.refused.length > 0 || failed ? 1 : 0;
}

/** `reviews decide|reassign|close|export`. */
export function registerReviewActions(reviews: Command, run: Runner): void {
  reviews
    .command('decide')
    .description(
      'Keep or revoke items (several at once); a revoke is carried out and proven with SubjectAccessReview',
    )
    .argument('<campaign>', 'campaign id (a unique prefix will do)')
    .argument('<items...>', 'item ids (unique prefixes will do)')
    .option('--keep', 'certify the access')
    .option('--revoke', 'take the access away')
    .option('--reason <text>', 'why (required to revoke and to keep a high-risk grant)')
    .option('--dry-run', 'revoke only: show what would change, change nothing')
    .action((campaign: string, items: string[], flags: DecideFlags) =>
      run(async (context) => {
        if (flags.keep === flags.revoke)
          throw new AppError('input.invalid', 'say either --keep or --revoke', {
            fix: 'Give exactly one of --keep and --revoke',
          });
        const report = await withGatehouse(context, async (gatehouse) =>
          decide(
            await gatehouse.store(),
            {
              campaignId: campaign,
              itemIds: items,
              decision: flags.keep ? 'keep' : 'revoke',
              ...(flags.reason ? { reason: flags.reason } : {}),
              ...(flags.dryRun ? { dryRun: true } : {}),
            },
            { principal: localPrincipal(), clusters: clusterAccess(gatehouse) },
          ),
        );
        return printDecisions(context, report);
      }),
    );
  reviews
    .command('reassign')
    .description('Give items to another reviewer, with a comment (--delegate: as their reviewer)')
    .argument('<campaign>', 'campaign id (a unique prefix will do)')
    .argument('<items...>', 'item ids (unique prefixes will do)')
    .requiredOption('--to <who>', 'user:NAME or group:NAME')
    .requiredOption('--comment <text>', 'why, kept on the item and in the audit log')
    .option('--delegate', 'hand your own items on (default: reassign as an admin)')
    .action((campaign: string, items: string[], flags: { to: string; comment: string; delegate?: boolean }) =>
      run(async (context) => {
        const report = await withStore(context, (store) =>
          reassign(
            store,
            {
              campaignId: campaign,
              itemIds: items,
              to: parseReviewer(flags.to),
              comment: flags.comment,
              kind: flags.delegate ? 'delegate' : 'reassign',
            },
            { principal: localPrincipal() },
          ),
        );
        if (context.output !== 'table') context.stdout(render(context.output, [], [], report));
        else
          for (const item of report.reassigned)
            context.stdout(`${sanitize(`${item.id.slice(0, 8)} → ${item.reviewer}`)}\n`);
        for (const refused of report.refused)
          context.stderr(`${sanitize(`${refused.id.slice(0, 8)} refused: ${refused.why}`)}\n`);
        return report.refused.length > 0 ? 1 : 0;
      }),
    );
  reviews
    .command('close')
    .description('Close a campaign; undecided items stay pending in its evidence')
    .argument('<campaign>', 'campaign id (a unique prefix will do)')
    .action((campaign: string) =>
      run(async (context) => {
        const closed = await withStore(context, (store) =>
          closeCampaign(store, campaign, { principal: localPrincipal() }),
        );
        context.stdout(
          context.output === 'table'
            ? `campaign ${closed.id.slice(0, 8)} closed\n`
            : render(context.output, [], [], closed),
        );
        return 0;
      }),
    );
  reviews
    .command('export')
    .description(
      'Evidence for auditors: every item, decision, revocation and proof (CSV with -o csv, else JSON)',
    )
    .argument('<campaign>', 'campaign id (a unique prefix will do)')
    .option('--pdf <file>', 'also print the report for auditors to this PDF file (with chromium)')
    .option('--usage-window <duration>', 'usage: how far before the campaign opened to look', '90d')
    .action((campaign: string, flags: { pdf?: string; usageWindow: string }) =>
      run(async (context) => {
        const format = flags.pdf ? 'pdf' : context.output === 'csv' ? 'csv' : 'json';
        const evidence = await withStore(context, (store) =>
          takeEvidence(store, localPrincipal(), campaign, {
            format,
            via: 'cli',
            usageOf: usageFromAuditLog(store, { windowDays: parseUsageWindow(flags.usageWindow) }),
          }),
        );
        if (flags.pdf) {
          writeFileSync(flags.pdf, await printPdf(reportHtml(evidence)));
          context.stderr(`report written to ${flags.pdf}\n`);
          return 0;
        }
        context.stdout(
          context.output === 'csv'
            ? evidenceCsv(evidence)
            : render(context.output === 'yaml' ? 'yaml' : 'json', [], [], evidence),
        );
        return 0;
      }),
    );
}
