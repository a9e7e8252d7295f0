import type { Command } from 'commander';
import { currentClusterName } from '../../config/index.js';
import { AppError } from '../../errors.js';
import {
  chosenRun,
  manifestSource,
  type RiskQuery,
  riskMatches,
  runLabel,
  runWarnings,
  sourceWarnings,
  storedRisks,
} from '../../inventory/index.js';
import { findRisks, type RiskFinding, type Severity } from '../../rbac/index.js';
import type { CommandContext, Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { render } from '../output.js';
import type { SourceFlags } from './rbac-source.js';

const severities: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

interface RiskFlags extends SourceFlags {
  readonly includeDefaults?: boolean;
  readonly minSeverity: string;
  readonly check?: string;
  readonly namespace?: string;
}

/** The findings a command prints, where they come from, and every check with its count before filtering. */
interface RiskAnswer {
  readonly label: string;
  readonly incomplete: boolean;
  readonly findings: readonly RiskFinding[];
  readonly checks: ReadonlyMap<string, number>;
}

type RiskFilters = Omit<RiskQuery, 'offset' | 'limit'>;

export function registerRisks(rbac: Command, run: Runner): void {
  rbac
    .command('risks')
    .description(
      'Risky access with severity and the path that grants it (a sync: the findings stored with it)',
    )
    .option('--include-defaults', 'include bindings Kubernetes creates itself (kubernetes.io/bootstrapping)')
    .option('--min-severity <level>', 'critical, high, medium or low', 'low')
    .option('--check <id>', 'only the findings of this check (e.g. pod-exec)')
    .option('-n, --namespace <ns>', 'only the findings in this namespace, or `cluster` for cluster-wide ones')
    .option('-f, --filename <dir>', 'analyse a directory of manifests instead of a sync')
    .option('--run <id>', 'use this sync run instead of the latest')
    .action((flags: RiskFlags) =>
      run(async (context) => {
        const filters = filtersOf(flags);
        const answer = flags.filename
          ? manifestRisks(context, flags.filename, filters)
          : await syncedRisks(context, flags.run, filters);
        if (answer.findings.length === 0 && filters.check && !answer.checks.has(filters.check))
          context.stderr(
            `warning: no finding of check "${filters.check}" in ${answer.label}; checks with findings: ${[...answer.checks.keys()].join(', ') || 'none'}\n`,
          );
        context.stdout(
          render(
            context.output,
            answer.findings,
            [
              { header: 'SEVERITY', value: (row) => row.severity },
              { header: 'CHECK', value: (row) => row.check },
              { header: 'SUBJECT', value: (row) => row.subject },
              { header: 'SCOPE', value: (row) => row.namespace ?? 'cluster' },
              { header: 'PATH', value: (row) => row.path },
            ],
            { source: answer.label, incomplete: answer.incomplete, findings: answer.findings },
          ),
        );
        return 0;
      }),
    );
}

function filtersOf(flags: RiskFlags): RiskFilters {
  const severity = flags.minSeverity as Severity;
  if (!severities.includes(severity))
    throw new AppError('input.invalid', `unknown severity "${flags.minSeverity}"`, {
      fix: `Use one of ${severities.join(', ')}`,
    });
  return {
    includeDefaults: flags.includeDefaults === true,
    severity,
    ...(flags.check ? { check: flags.check } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
  };
}

/**
 * A sync's findings as the console's risks page reads them: rows stored with the run, filtered by
 * the database, so a large cluster's snapshot is neither loaded nor analysed again.
 */
async function syncedRisks(
  context: CommandContext,
  runId: string | undefined,
  filters: RiskFilters,
): Promise<RiskAnswer> {
  return await withStore(context, async (store) => {
    const run = await chosenRun(store, currentClusterName(context), runId);
    for (const warning of await runWarnings(store, run)) context.stderr(`warning: ${warning}\n`);
    const stored = await storedRisks(store, run, { ...filters, offset: 0, limit: Number.MAX_SAFE_INTEGER });
    return {
      label: runLabel(run),
      incomplete: run.errors.length > 0,
      findings: stored.findings,
      checks: stored.checks,
    };
  });
}

/** Manifests are analysed here and now, then filtered as the database filters a sync's findings. */
function manifestRisks(context: CommandContext, dir: string, filters: RiskFilters): RiskAnswer {
  const source = manifestSource(dir);
  for (const warning of sourceWarnings(source)) context.stderr(`warning: ${warning}\n`);
  const all = findRisks(source.index, {
    includeDefaults: filters.includeDefaults,
    ...(source.awsAuth ? { awsAuth: source.awsAuth } : {}),
  });
  const checks = new Map<string, number>();
  for (const finding of all) checks.set(finding.check, (checks.get(finding.check) ?? 0) + 1);
  return {
    label: source.label,
    incomplete: source.read.errors.length > 0,
    findings: all.filter((finding) => riskMatches(finding, filters)),
    checks,
  };
}
