import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { AppError } from '../../errors.js';
import {
  buildTimeline,
  type CustodyRecord,
  factsOf,
  findIndicators,
  loadYaraRules,
  openPackage,
  scanWithYara,
  sealFiles,
  sha256,
  sortIndicators,
  toBodyfile,
  toTimelineCsv,
  toTimesketchJsonl,
  verifyPackage,
  verifyRemote,
} from '../../forensics/index.js';
import type { CommandContext, Runner } from '../context.js';
import { evidenceRoot, s3Target } from '../evidence-settings.js';
import { render } from '../output.js';
import { packageRoot, withPackage } from '../package-source.js';
import { anchorsOf } from './evidence-anchor.js';

interface VerifyFlags {
  readonly remote?: boolean;
  readonly s3Endpoint?: string;
  readonly expectedHash?: string;
  readonly publicKey?: string;
}

function custodyOf(root: string): CustodyRecord | undefined {
  const file = join(root, 'custody.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CustodyRecord) : undefined;
}

/** Re-hashes a package and checks its hash against every signed record of it that can be reached. */
async function verifyAt(
  context: CommandContext,
  root: string,
  id: string,
  flags: VerifyFlags,
): Promise<number> {
  const local = verifyPackage(root);
  const remote = flags.remote ? await remoteProblems(context, root, id, flags.s3Endpoint) : [];
  const { anchors, notes } = await anchorsOf(context, root, id, local.packageHash, flags);
  const report = {
    ...local,
    ok: local.ok && remote.length === 0 && anchors.every((anchor) => anchor.ok),
    anchored: anchors.some((anchor) => anchor.ok),
    problems: [
      ...local.problems,
      ...remote.map((problem) => ({ path: `s3://${problem.key}`, problem: problem.problem })),
      ...anchors
        .filter((anchor) => !anchor.ok)
        .map((anchor) => ({ path: 'package', problem: anchor.detail })),
    ],
    anchors,
    notes,
  };
  if (context.output === 'table') {
    const verdict = !report.ok ? 'FAILED' : report.anchored ? 'VERIFIED' : 'SELF-CONSISTENT ONLY';
    context.stdout(`${verdict}: ${report.checked} files, package hash ${report.packageHash}\n`);
    for (const problem of report.problems) context.stdout(`  ${problem.path}: ${problem.problem}\n`);
    for (const anchor of anchors.filter((a) => a.ok)) context.stdout(`  checked against ${anchor.detail}\n`);
    for (const note of notes) context.stdout(`  note: ${note}\n`);
  } else context.stdout(render(context.output, [report], [], report));
  return report.ok ? 0 : 1;
}

export function registerEvidence(program: Command, run: Runner): void {
  const evidence = program
    .command('evidence')
    .description('Evidence packages: list, show, verify, timeline, indicators, export');
  evidence
    .command('list')
    .description('Packages in the evidence store, newest first')
    .action(() =>
      run(async (context) => {
        const root = evidenceRoot(context);
        const ids = existsSync(root)
          ? readdirSync(root)
              .filter((id) => /^[0-9TZ]+-[0-9a-f]{8}$/.test(id))
              .sort()
              .reverse()
          : [];
        const rows = ids.map((id) => ({ id, custody: custodyOf(join(root, id)) }));
        context.stdout(
          render(
            context.output,
            rows,
            [
              { header: 'ID', value: (row) => row.id },
              {
                header: 'TARGET',
                value: (row) =>
                  row.custody
                    ? `${row.custody.target.namespace}/${row.custody.target.pod}/${row.custody.target.container}`
                    : '(unsealed)',
              },
              { header: 'METHOD', value: (row) => row.custody?.method ?? '' },
              { header: 'OPERATOR', value: (row) => row.custody?.operator ?? '' },
              { header: 'FINISHED', value: (row) => row.custody?.finishedAt ?? '' },
              { header: 'PROBLEMS', value: (row) => String(row.custody?.errors.length ?? '') },
            ],
            rows,
          ),
        );
        return 0;
      }),
    );
  evidence
    .command('show')
    .argument('<id>')
    .description('The custody record of a package')
    .action((id: string) =>
      run(async (context) => {
        const custody = custodyOf(packageRoot(context, id));
        context.stdout(context.output === 'json' ? `${JSON.stringify(custody, null, 2)}\n` : toYaml(custody));
        return 0;
      }),
    );
  evidence
    .command('verify')
    .argument('<package>', 'a package id, a package folder, or a downloaded package .tar')
    .description(
      'Re-hash every file of a package and check its hash against the signed record of it: the audit entry, the signature file (exit 1 if anything changed)',
    )
    .option('--expected-hash <sha256>', 'the package hash recorded when it was handed over')
    .option('--public-key <file>', 'the audit public key (for a package checked away from its store)')
    .option('--remote', 'also download and re-hash the copy in S3 (bucket from the custody record)')
    .option('--s3-endpoint <url>', 'S3-compatible endpoint (env GATEHOUSE_S3_ENDPOINT)')
    .action((given: string, flags: VerifyFlags) =>
      run((context) => withPackage(context, given, (root, id) => verifyAt(context, root, id, flags))),
    );
  evidence
    .command('timeline')
    .argument('<id>')
    .description('Filesystem, process, log and history events in time order (-o table|json|csv)')
    .action((id: string) =>
      run(async (context) => {
        const events = buildTimeline(openPackage(packageRoot(context, id)));
        if (context.output === 'csv') context.stdout(toTimelineCsv(events));
        else
          context.stdout(
            render(
              context.output,
              events,
              [
                { header: 'TIME', value: (row) => row.datetime },
                { header: 'WHAT', value: (row) => row.timestamp_desc },
                { header: 'SOURCE', value: (row) => row.source },
                { header: 'MESSAGE', value: (row) => row.message.slice(0, 160) },
              ],
              events,
            ),
          );
        return 0;
      }),
    );
  evidence
    .command('indicators')
    .argument('<id>')
    .description('Indicators of compromise with the evidence behind each')
    .option(
      '--yara <dir>',
      'also run your YARA rules (.yar/.yara files in YARA-X syntax; externals filepath, filename, extension) over every collected file',
    )
    .action((id: string, flags: { yara?: string }) =>
      run(async (context) => {
        const pkg = openPackage(packageRoot(context, id));
        const yara = flags.yara ? scanWithYara(pkg, loadYaraRules(flags.yara)) : undefined;
        for (const problem of yara?.problems ?? []) context.stderr(`warning: yara: ${problem}\n`);
        const indicators = sortIndicators([...findIndicators(pkg), ...(yara?.indicators ?? [])]);
        context.stdout(
          render(
            context.output,
            indicators,
            [
              { header: 'SEVERITY', value: (row) => row.severity },
              { header: 'INDICATOR', value: (row) => row.title },
              { header: 'WHERE', value: (row) => row.where },
              { header: 'REASON', value: (row) => row.reason.slice(0, 120) },
            ],
            indicators,
          ),
        );
        return 0;
      }),
    );
  evidence
    .command('export')
    .argument('<id>')
    .requiredOption('--format <format>', 'timesketch (JSONL), csv or bodyfile')
    .description('Write the timeline for other tools to stdout')
    .action((id: string, flags: { format: string }) =>
      run(async (context) => {
        const pkg = openPackage(packageRoot(context, id));
        if (flags.format === 'timesketch') context.stdout(toTimesketchJsonl(buildTimeline(pkg)));
        else if (flags.format === 'csv') context.stdout(toTimelineCsv(buildTimeline(pkg)));
        else if (flags.format === 'bodyfile') context.stdout(toBodyfile(factsOf(pkg).files));
        else
          throw new AppError('input.invalid', `unknown export format "${flags.format}"`, {
            fix: 'Use timesketch, csv or bodyfile',
          });
        return 0;
      }),
    );
}

async function remoteProblems(
  context: CommandContext,
  root: string,
  id: string,
  endpoint: string | undefined,
) {
  const custody = custodyOf(root);
  if (!custody?.storage) {
    throw new AppError('not-found', `package ${id} was not stored in S3`, {
      fix: 'Acquire with --s3-bucket to keep a remote copy',
    });
  }
  const target = s3Target(context, {
    s3Bucket: custody.storage.bucket,
    ...(endpoint ? { s3Endpoint: endpoint } : {}),
  });
  // The sealed metadata must match too: a replaced custody record or manifest is a change.
  const metadata = ['manifest.json', ...sealFiles].map((path) => ({ path, ...hashOf(join(root, path)) }));
  const items = openPackage(root).items.filter((item) => item.path);
  return await verifyRemote([...items, ...metadata], id, {
    ...target!,
    prefix: custody.storage.prefix,
  });
}

function hashOf(file: string): { sha256: string; size: number } {
  const data = readFileSync(file);
  return { sha256: sha256(data), size: data.length };
}
