import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { riskyRead } from '../../test/support/risky-read.js';
import { dialects } from '../../test/support/stores.js';
import { saveSyncRun, syncSource } from '../inventory/index.js';
import { findRisks, parseAwsAuth, type RiskFinding } from '../rbac/index.js';

/** A finding as one line, the way both the CLI's JSON and the risks page's table can give it. */
const lineOf = (
  finding: Pick<RiskFinding, 'severity' | 'check' | 'title' | 'subject' | 'path'> & { where: string },
) =>
  [finding.severity, finding.check, finding.title, finding.subject, finding.where, finding.path].join(' | ');

const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/** Every finding row the risks page shows for a query, across all its pages. */
async function pageLines(fixture: ConsoleFixture, query: URLSearchParams): Promise<string[]> {
  const lines: string[] = [];
  for (let page = 1; ; page++) {
    query.set('page', String(page));
    const html = await (await fixture.visit('dave', `/governance/risks?${query}`)).text();
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
    for (const [, row = ''] of body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
      const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1] ?? '');
      const [check = '', title = ''] = [
        ...(cells[1] ?? '').matchAll(/<(?:code|span)[^>]*>([\s\S]*?)<\/(?:code|span)>/g),
      ].map((part) => textOf(part[1] ?? ''));
      lines.push(
        lineOf({
          severity: textOf(cells[0] ?? '').trim() as RiskFinding['severity'],
          check,
          title,
          subject: textOf(cells[2] ?? ''),
          where: textOf(cells[3] ?? ''),
          path: textOf(cells[4] ?? ''),
        }),
      );
    }
    const pages = Number(/Page \d+ of (\d+)/.exec(html)?.[1] ?? 1);
    if (page >= pages) return lines;
  }
}

const asLines = (findings: readonly RiskFinding[]) =>
  findings.map((finding) => lineOf({ ...finding, where: finding.namespace ?? 'cluster-wide' }));

describe.each(dialects)('gatehouse rbac risks on a synced cluster, on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('prints the findings stored with the run: those of the risks page and of the engine on the whole snapshot, with every filter', async () => {
    fixture = await consoleFixture(dialect);
    const { store, options } = fixture.fresh;
    const at = '2026-12-01T05:00:00.000Z';
    const sync = { server: 'x', startedAt: at, finishedAt: at, status: 'succeeded' as const };
    const run = await saveSyncRun(
      store,
      { ...sync, cluster: 'prod', counts: {}, resourceVersions: {}, errors: [] },
      riskyRead(71),
    );
    const env = {
      GATEHOUSE_HOME: options.dataDir,
      ...(options.url ? { GATEHOUSE_DATABASE_URL: options.url } : {}),
    };
    const whole = await syncSource(store, 'prod', run.id);
    let compared = 0;
    for (const includeDefaults of [false, true]) {
      const engine = findRisks(whole.index, {
        includeDefaults,
        awsAuth: parseAwsAuth(whole.read.awsAuth!.data!),
      });
      const order = ['critical', 'high', 'medium', 'low'];
      for (const filters of [
        {},
        { severity: 'critical' },
        { severity: 'high', namespace: 'rbt-1' },
        { namespace: 'cluster' },
        { check: engine.at(-1)!.check },
      ] as { severity?: string; namespace?: string; check?: string }[]) {
        const asked = JSON.stringify({ includeDefaults, ...filters });
        const expected = engine.filter(
          (finding) =>
            order.indexOf(finding.severity) <= order.indexOf(filters.severity ?? 'low') &&
            (!filters.check || finding.check === filters.check) &&
            (!filters.namespace || (finding.namespace ?? 'cluster') === filters.namespace),
        );
        const args = ['--context', 'prod', 'rbac', 'risks', '-o', 'json'];
        if (includeDefaults) args.push('--include-defaults');
        if (filters.severity) args.push('--min-severity', filters.severity);
        if (filters.check) args.push('--check', filters.check);
        if (filters.namespace) args.push('--namespace', filters.namespace);
        const answer = await cli(args, env);
        expect(answer.code, `${asked}: ${answer.stderr}`).toBe(0);
        const printed = JSON.parse(answer.stdout) as { source: string; findings: RiskFinding[] };
        expect(printed.source).toContain(run.id.slice(0, 8));
        expect(printed.findings, asked).toEqual(JSON.parse(JSON.stringify(expected)));
        const query = new URLSearchParams({
          cluster: 'prod',
          ...filters,
          ...(includeDefaults ? { defaults: 'on' } : {}),
        });
        expect(await pageLines(fixture, query), asked).toEqual(asLines(printed.findings));
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('prints a table by default, and says which checks have findings when the one asked for has none', async () => {
    fixture = await consoleFixture(dialect);
    const { store, options } = fixture.fresh;
    const at = '2026-12-01T05:00:00.000Z';
    const sync = { server: 'x', startedAt: at, finishedAt: at, status: 'succeeded' as const };
    await saveSyncRun(
      store,
      { ...sync, cluster: 'prod', counts: {}, resourceVersions: {}, errors: [] },
      riskyRead(72),
    );
    const env = {
      GATEHOUSE_HOME: options.dataDir,
      ...(options.url ? { GATEHOUSE_DATABASE_URL: options.url } : {}),
    };
    const table = await cli(['--context', 'prod', 'rbac', 'risks', '--min-severity', 'critical'], env);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SEVERITY\s+CHECK\s+SUBJECT\s+SCOPE\s+PATH$/);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.startsWith('critical '))).toBe(true);
    expect(rows.join('\n')).toContain('system-masters-mapping');
    const none = await cli(['--context', 'prod', 'rbac', 'risks', '--check', 'no-such-check'], env);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(
      /no finding of check "no-such-check" in sync .+; checks with findings: .*system-masters-mapping/,
    );
    // The findings are the rows stored with the run: the snapshot is not read again.
    await store.db.deleteFrom('sync_snapshots').execute();
    const again = await cli(['--context', 'prod', 'rbac', 'risks', '--min-severity', 'critical'], env);
    expect([again.code, again.stdout]).toEqual([0, table.stdout]);
    const wrong = await cli(['--context', 'prod', 'rbac', 'risks', '--min-severity', 'dire'], env);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('unknown severity "dire"');
  });
});
