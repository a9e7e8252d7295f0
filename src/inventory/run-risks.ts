import type { Transaction } from 'kysely';
import { findRisks, type RiskFinding, type Severity } from '../rbac/index.js';
import type { Database, Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';
import { sourceFrom } from './source.js';
import { indexedRunsKept } from './subject-index.js';
import { loadSyncSnapshot, type SyncRun } from './sync-runs.js';

/** Findings without Kubernetes' own (bootstrapping) bindings, the default, or with them. */
export type RiskVariant = 'without-defaults' | 'with-defaults';

const severities: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
// Rows per INSERT: 10 columns each stays under SQLite's (32,766) and PostgreSQL's (65,535) parameter limits.
const batchSize = 2000;

/** The engine's findings on a whole read, as `gatehouse rbac risks` gives them. */
export function risksOfRead(read: ClusterRead, variant: RiskVariant): RiskFinding[] {
  const source = sourceFrom(read, '', { offline: false });
  return findRisks(source.index, {
    includeDefaults: variant === 'with-defaults',
    ...(source.awsAuth ? { awsAuth: source.awsAuth } : {}),
  });
}

/**
 * Stores one variant of a run's findings in the engine's order, with the count of each check. A
 * concurrent writer of the same variant stored the same findings: its marker makes this one stop.
 */
export async function writeRunRisks(
  tx: Transaction<Database>,
  run: { readonly id: string; readonly variant: RiskVariant },
  findings: readonly RiskFinding[],
): Promise<void> {
  const checks = new Map<string, number>();
  for (const finding of findings) checks.set(finding.check, (checks.get(finding.check) ?? 0) + 1);
  const marked = await tx
    .insertInto('sync_risk_runs')
    .values({ run_id: run.id, variant: run.variant, checks: JSON.stringify([...checks]) })
    .onConflict((conflict) => conflict.columns(['run_id', 'variant']).doNothing())
    .executeTakeFirst();
  if (Number(marked.numInsertedOrUpdatedRows ?? 0) === 0) return;
  const rows = findings.map((finding, ordinal) => ({
    run_id: run.id,
    variant: run.variant,
    ordinal,
    severity: finding.severity,
    severity_rank: severities.indexOf(finding.severity),
    check_id: finding.check,
    title: finding.title,
    subject: finding.subject,
    namespace: finding.namespace ?? null,
    path: finding.path,
  }));
  for (let start = 0; start < rows.length; start += batchSize)
    await tx
      .insertInto('sync_risk_findings')
      .values(rows.slice(start, start + batchSize))
      .execute();
}

/** Keeps the findings of a cluster's newest few runs; older runs compute theirs again when viewed. */
export async function pruneOlderRisks(tx: Transaction<Database>, cluster: string): Promise<void> {
  const stale = await tx
    .selectFrom('sync_risk_runs')
    .innerJoin('sync_runs', 'sync_runs.id', 'sync_risk_runs.run_id')
    .select('sync_runs.id')
    .distinct()
    .where('sync_runs.cluster', '=', cluster)
    .orderBy('sync_runs.id')
    .execute();
  const newest = await tx
    .selectFrom('sync_runs')
    .select('id')
    .where('cluster', '=', cluster)
    .orderBy('started_at', 'desc')
    .limit(indexedRunsKept)
    .execute();
  const kept = new Set(newest.map((row) => row.id));
  const ids = stale.map((row) => row.id).filter((id) => !kept.has(id));
  if (ids.length === 0) return;
  await tx.deleteFrom('sync_risk_findings').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_risk_runs').where('run_id', 'in', ids).execute();
}

/** Which findings a page asks for; blank filters do not filter. */
export interface RiskQuery {
  readonly includeDefaults: boolean;
  /** At or above this severity. */
  readonly severity?: Severity | undefined;
  readonly check?: string | undefined;
  /** A namespace, or `cluster` for cluster-wide findings. */
  readonly namespace?: string | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Whether a finding passes a query's filters: what `storedRisks` asks of the database, in memory. */
export function riskMatches(
  finding: RiskFinding,
  query: Pick<RiskQuery, 'severity' | 'check' | 'namespace'>,
): boolean {
  if (query.severity && severities.indexOf(finding.severity) > severities.indexOf(query.severity))
    return false;
  if (query.check && finding.check !== query.check) return false;
  if (query.namespace === 'cluster') return finding.namespace === undefined;
  return !query.namespace || finding.namespace === query.namespace;
}

export interface StoredRisks {
  /** The page of findings asked for, most severe first. */
  readonly findings: RiskFinding[];
  /** How many match the filters in all. */
  readonly total: number;
  /** Every check with its count before filtering, in the order they first appear. */
  readonly checks: ReadonlyMap<string, number>;
}

/**
 * A page of a run's risk findings, filtered in SQL; the same findings, in the same order, as
 * `findRisks` on the whole snapshot. Runs stored before findings were (or past the newest few,
 * whose findings are pruned) and the with-defaults variant are computed on first view and stored.
 *
 * @example
 * const { findings, total } = await storedRisks(store, run, { includeDefaults: false, severity: 'high', offset: 0, limit: 500 });
 */
export async function storedRisks(store: Store, run: SyncRun, query: RiskQuery): Promise<StoredRisks> {
  const variant: RiskVariant = query.includeDefaults ? 'with-defaults' : 'without-defaults';
  const checks = await checksOf(store, run.id, variant);
  let filtered = store.db
    .selectFrom('sync_risk_findings')
    .where('run_id', '=', run.id)
    .where('variant', '=', variant);
  if (query.severity) filtered = filtered.where('severity_rank', '<=', severities.indexOf(query.severity));
  if (query.check) filtered = filtered.where('check_id', '=', query.check);
  if (query.namespace === 'cluster') filtered = filtered.where('namespace', 'is', null);
  else if (query.namespace) filtered = filtered.where('namespace', '=', query.namespace);
  const counted = await filtered
    .select((eb) => eb.fn.countAll<string | number>().as('total'))
    .executeTakeFirst();
  const rows = await filtered
    .select(['severity', 'check_id', 'title', 'subject', 'namespace', 'path'])
    .orderBy('ordinal')
    .limit(query.limit)
    .offset(query.offset)
    .execute();
  return {
    findings: rows.map((row) => ({
      check: row.check_id,
      severity: row.severity as Severity,
      title: row.title,
      subject: row.subject,
      namespace: row.namespace ?? undefined,
      path: row.path,
    })),
    total: Number(counted?.total ?? 0),
    checks,
  };
}

async function checksOf(store: Store, runId: string, variant: RiskVariant): Promise<Map<string, number>> {
  const marker = async () =>
    await store.db
      .selectFrom('sync_risk_runs')
      .select('checks')
      .where('run_id', '=', runId)
      .where('variant', '=', variant)
      .executeTakeFirst();
  let stored = await marker();
  if (!stored) {
    // Stored before findings were kept, pruned, or the other variant: computed once, here.
    const findings = risksOfRead(await loadSyncSnapshot(store, runId), variant);
    await store.db.transaction().execute((tx) => writeRunRisks(tx, { id: runId, variant }, findings));
    stored = await marker();
  }
  return new Map(JSON.parse(stored?.checks ?? '[]') as [string, number][]);
}
