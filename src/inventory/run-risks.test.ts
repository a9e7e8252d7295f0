import { afterEach, describe, expect, it } from 'vitest';
import { riskyRead } from '../../test/support/risky-read.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { findRisks, parseAwsAuth, type RiskFinding } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';
import { type RiskQuery, storedRisks } from './run-risks.js';
import { syncSource } from './source.js';
import { indexedRunsKept } from './subject-index.js';
import { saveSyncRun } from './sync-runs.js';

async function save(store: Store, read: ClusterRead, cluster: string, at = '2026-12-01T05:00:00.000Z') {
  return await saveSyncRun(
    store,
    {
      cluster,
      server: 'x',
      startedAt: at,
      finishedAt: at,
      status: 'succeeded',
      counts: {},
      resourceVersions: {},
      errors: [],
    },
    read,
  );
}

const everything = { offset: 0, limit: 1_000_000 };

/** What the page used to do: every finding of the whole snapshot, filtered in memory. */
function filtered(findings: readonly RiskFinding[], query: RiskQuery): RiskFinding[] {
  const order = ['critical', 'high', 'medium', 'low'];
  return findings.filter(
    (finding) =>
      (!query.severity || order.indexOf(finding.severity) <= order.indexOf(query.severity)) &&
      (!query.check || finding.check === query.check) &&
      (!query.namespace ||
        (query.namespace === 'cluster'
          ? finding.namespace === undefined
          : finding.namespace === query.namespace)),
  );
}

describe.each(dialects)('risk findings stored with each run, on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('gives the findings, filters and pages of findRisks on the whole snapshot, with and without Kubernetes own bindings', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    let compared = 0;
    for (const seed of [61, 62, 63]) {
      const run = await save(fresh.store, riskyRead(seed), `prod-${seed}`);
      const whole = await syncSource(fresh.store, `prod-${seed}`, run.id);
      for (const includeDefaults of [false, true]) {
        const engine = findRisks(whole.index, {
          includeDefaults,
          awsAuth: parseAwsAuth(whole.read.awsAuth!.data!),
        });
        const stored = await storedRisks(fresh.store, run, { includeDefaults, ...everything });
        expect(stored.findings).toEqual(engine);
        expect(stored.total).toBe(engine.length);
        const counts = new Map<string, number>();
        for (const finding of engine) counts.set(finding.check, (counts.get(finding.check) ?? 0) + 1);
        expect([...stored.checks]).toEqual([...counts]);
        for (const query of [
          { severity: 'critical' as const },
          { severity: 'high' as const, namespace: 'rbt-1' },
          { namespace: 'cluster' },
          { namespace: 'kube-system' },
          { check: engine[engine.length - 1]?.check },
          { check: 'no-such-check' },
        ]) {
          const asked = { includeDefaults, ...query, ...everything };
          const expected = filtered(engine, asked);
          const got = await storedRisks(fresh.store, run, asked);
          expect(got.findings, JSON.stringify(query)).toEqual(expected);
          expect(got.total).toBe(expected.length);
          compared += expected.length;
        }
        const page = await storedRisks(fresh.store, run, { includeDefaults, offset: 7, limit: 5 });
        expect(page.findings).toEqual(engine.slice(7, 12));
        expect(page.total).toBe(engine.length);
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('computes the findings of a run stored before they were kept on first view, and stores them once', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const run = await save(fresh.store, riskyRead(64), 'prod');
    // As a run stored before this store kept findings.
    await fresh.store.db.deleteFrom('sync_risk_findings').execute();
    await fresh.store.db.deleteFrom('sync_risk_runs').execute();
    const whole = await syncSource(fresh.store, 'prod', run.id);
    const engine = findRisks(whole.index, { awsAuth: parseAwsAuth(whole.read.awsAuth!.data!) });
    const [first, second] = await Promise.all([
      storedRisks(fresh.store, run, { includeDefaults: false, ...everything }),
      storedRisks(fresh.store, run, { includeDefaults: false, ...everything }),
    ]);
    expect(first.findings).toEqual(engine);
    expect(second.findings).toEqual(engine);
    const rows = await fresh.store.db
      .selectFrom('sync_risk_findings')
      .select((eb) => eb.fn.countAll<string | number>().as('rows'))
      .where('run_id', '=', run.id)
      .executeTakeFirst();
    expect(Number(rows?.rows)).toBe(engine.length);
  });

  it("keeps the findings of a cluster's newest runs only; an older run's are computed again when viewed", async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const runs = [];
    for (let hour = 1; hour <= indexedRunsKept + 1; hour++)
      runs.push(await save(fresh.store, riskyRead(65), 'prod', `2026-12-01T0${hour}:00:00.000Z`));
    const kept = await fresh.store.db.selectFrom('sync_risk_runs').select('run_id').execute();
    expect(kept.map((row) => row.run_id).sort()).toEqual(
      runs
        .slice(1)
        .map((run) => run.id)
        .sort(),
    );
    const oldest = runs[0]!;
    const whole = await syncSource(fresh.store, 'prod', oldest.id);
    const engine = findRisks(whole.index, { awsAuth: parseAwsAuth(whole.read.awsAuth!.data!) });
    expect(
      (await storedRisks(fresh.store, oldest, { includeDefaults: false, ...everything })).findings,
    ).toEqual(engine);
  });
});
