import type { Command } from 'commander';
import { parseDuration } from '../../access/index.js';
import { AppError } from '../../errors.js';
import { localPrincipal } from '../../identity/index.js';
import type { SubjectRef } from '../../rbac/index.js';
import {
  type IngestProgress,
  type IngestResult,
  ingestAuditLog,
  listIngestions,
  type UsedPermission,
  usageOf,
} from '../../usage/index.js';
import type { CommandContext, Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { render, sanitize } from '../output.js';

export function registerUsage(program: Command, run: Runner): void {
  const usage = program
    .command('usage')
    .description(
      'Usage evidence from the Kubernetes API audit log: ingest logs, show who used which permission',
    );
  usage
    .command('ingest')
    .argument('<path>', 'an audit log (JSON lines, plain or gzip) or a directory of rotated logs')
    .requiredOption('--cluster <name>', 'the cluster the log comes from')
    .description('Read an audit log into the store; reading it again only adds what is new')
    .action((path: string, flags: { cluster: string }) =>
      run(async (context) => {
        const result = await withStore(context, (store) =>
          ingestAuditLog(store, {
            cluster: flags.cluster,
            path,
            actor: localPrincipal().subject,
            onProgress: progressPrinter(context),
          }),
        );
        if (context.interactive) context.stderr('\n');
        if (context.output === 'table') printIngest(context, result);
        else context.stdout(render(context.output, [result], [], result));
        return result.status === 'succeeded' ? 0 : 1;
      }),
    );
  usage
    .command('show')
    .argument('<subject>', 'user/NAME, group/NAME, serviceaccount/NAMESPACE/NAME or iam/ARN')
    .requiredOption('--cluster <name>', 'the cluster whose audit logs were ingested')
    .option('--since <duration>', 'the window, back from now: 30d, 12h', '30d')
    .description('The permissions a subject used in the window, most recent first')
    .action((text: string, flags: { cluster: string; since: string }) =>
      run(async (context) => {
        const subject = parseSubject(text);
        const since = new Date(Date.now() - parseDuration(flags.since, '--since') * 1000);
        const answer = await withStore(context, (store) =>
          usageOf(store, { cluster: flags.cluster, subject, since }),
        );
        if (context.output !== 'table') {
          context.stdout(render(context.output, [answer], [], answer));
          return answer.kind === 'known' ? 0 : 1;
        }
        if (answer.kind === 'unknown') {
          context.stdout(`usage unknown: ${answer.reason}\n`);
          return 1;
        }
        context.stderr(
          `${answer.subject} in ${answer.cluster} since ${answer.window.since}: audit logs from ${answer.evidence.from} to ${answer.evidence.to} (${answer.evidence.ingestions} ingests)${answer.complete ? '' : '; they start after the window does, so earlier use is unknown'}\n`,
        );
        if (answer.permissions.length === 0) context.stdout('no permission used in the window\n');
        else context.stdout(render('table', answer.permissions, permissionColumns));
        return 0;
      }),
    );
  usage
    .command('ingests')
    .option('--cluster <name>', 'only this cluster')
    .description('Past ingests: source, window covered, events read, newest first')
    .action((flags: { cluster?: string }) =>
      run(async (context) => {
        const list = await withStore(context, (store) => listIngestions(store, flags.cluster));
        context.stdout(
          render(
            context.output,
            list,
            [
              { header: 'ID', value: (row) => row.id.slice(0, 8) },
              { header: 'CLUSTER', value: (row) => row.cluster },
              { header: 'STATUS', value: (row) => row.status },
              { header: 'FROM', value: (row) => row.window?.from ?? '' },
              { header: 'TO', value: (row) => row.window?.to ?? '' },
              { header: 'EVENTS', value: (row) => String(row.events.read) },
              { header: 'MALFORMED', value: (row) => String(row.events.malformed) },
              { header: 'SOURCE', value: (row) => row.source },
            ],
            list,
          ),
        );
        return 0;
      }),
    );
}

const permissionColumns = [
  { header: 'VERB', value: (row: UsedPermission) => row.verb },
  {
    header: 'RESOURCE',
    value: (row: UsedPermission) =>
      row.nonResourceUrl ||
      `${row.resource}${row.subresource ? `/${row.subresource}` : ''}${row.apiGroup ? `.${row.apiGroup}` : ''}`,
  },
  { header: 'NAMESPACE', value: (row: UsedPermission) => row.namespace },
  { header: 'NAME', value: (row: UsedPermission) => row.name },
  { header: 'LAST USED', value: (row: UsedPermission) => row.lastUsed },
  { header: 'COUNT', value: (row: UsedPermission) => String(row.count) },
];

/** `user/alice`, `group/devs`, `serviceaccount/NS/NAME` (or `sa/…`), `iam/ARN` (ARNs hold slashes). */
export function parseSubject(text: string): SubjectRef {
  const slash = text.indexOf('/');
  const kind = text.slice(0, slash).toLowerCase();
  const rest = text.slice(slash + 1);
  if (slash > 0 && rest !== '') {
    if (kind === 'user') return { kind: 'user', name: rest };
    if (kind === 'group') return { kind: 'group', name: rest };
    if (kind === 'iam' && rest.startsWith('arn:')) return { kind: 'iam', arn: rest };
    const [namespace, name, ...extra] = rest.split('/');
    if ((kind === 'serviceaccount' || kind === 'sa') && namespace && name && extra.length === 0)
      return { kind: 'serviceaccount', namespace, name };
  }
  throw new AppError('input.invalid', `"${text.slice(0, 80)}" names no subject`, {
    fix: 'Write user/NAME, group/NAME, serviceaccount/NAMESPACE/NAME or iam/ARN, e.g. serviceaccount/payments/api',
  });
}

/** On a terminal, one line redrawn at most 5 times a second; elsewhere a line per file. */
function progressPrinter(context: CommandContext): (progress: IngestProgress) => void {
  let drawnAt = 0;
  let lastFile = -1;
  return (progress) => {
    const label = `[${progress.fileIndex + 1}/${progress.files}] ${sanitize(progress.file)}`;
    if (!context.interactive) {
      if (progress.fileIndex !== lastFile) context.stderr(`reading ${label}\n`);
      lastFile = progress.fileIndex;
      return;
    }
    if (Date.now() - drawnAt < 200) return;
    drawnAt = Date.now();
    const megabytes = (progress.bytes / 1048576).toFixed(0);
    context.stderr(
      `\r\u001b[2K${label}: ${megabytes} MB, ${progress.eventsRead.toLocaleString('en')} events`,
    );
  };
}

function printIngest(context: CommandContext, result: IngestResult): void {
  const { events } = result;
  const window = result.window ? `, events from ${result.window.from} to ${result.window.to}` : '';
  context.stdout(
    `ingest ${result.id.slice(0, 8)} of ${result.cluster}: ${result.status} in ${result.seconds.toFixed(1)}s: ${events.read} events read, ${events.counted} uses counted, ${events.skipped} skipped (${result.skippedBy.stage} not final, ${result.skippedBy.denied} denied, ${result.skippedBy.undecided} undecided${result.skippedBy['not-kubernetes'] ? `, ${result.skippedBy['not-kubernetes']} not Kubernetes API requests` : ''}), ${events.malformed} malformed${window}\n`,
  );
  for (const file of result.files) {
    const lines = file.status === 'read' ? ` lines ${file.fromLine + 1}-${file.toLine}` : '';
    const detail = file.error
      ? `: ${file.error}`
      : file.incompleteTail
        ? ' (its last line is still being written)'
        : '';
    context.stdout(`  ${sanitize(file.path)}: ${file.status}${lines}${sanitize(detail)}\n`);
  }
  for (const line of result.malformedLines)
    context.stdout(`  malformed ${sanitize(line.file)}:${line.line}: ${sanitize(line.reason)}\n`);
  if (events.malformed > result.malformedLines.length)
    context.stdout(`  … and ${events.malformed - result.malformedLines.length} more malformed lines\n`);
}
