import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { type FreshStore, freshStore } from '../../test/support/stores.js';
import { auditLine } from '../usage/test-events.js';

describe('gatehouse usage', () => {
  let fresh: FreshStore | undefined;
  let dir = '';
  afterEach(async () => {
    await fresh?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests a log with a summary that names malformed lines, then shows what a ServiceAccount used', async () => {
    fresh = await freshStore('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-usage-cli-'));
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    const sa = 'system:serviceaccount:payments:api';
    writeFileSync(
      join(dir, 'audit.log'),
      [
        auditLine({
          user: sa,
          groups: [],
          verb: 'get',
          resource: 'secrets',
          namespace: 'payments',
          name: 'db',
          at: recent,
        }),
        '{"broken":',
        auditLine({
          user: sa,
          groups: [],
          verb: 'list',
          resource: 'configmaps',
          namespace: 'payments',
          at: recent,
        }),
        '',
      ].join('\n'),
    );
    const env = { GATEHOUSE_HOME: fresh.options.dataDir };
    const ingested = await cli(['usage', 'ingest', dir, '--cluster', 'prod'], env);
    expect(ingested.stderr).toContain('reading [1/1]');
    expect(ingested.stdout).toMatch(
      /: succeeded in .*3 events read, 2 uses counted, 0 skipped .* 1 malformed/,
    );
    expect(ingested.stdout).toContain(`malformed ${join(dir, 'audit.log')}:2: not JSON`);
    expect(ingested.code).toBe(0);

    const shown = await cli(
      ['usage', 'show', 'serviceaccount/payments/api', '--cluster', 'prod', '--since', '7d'],
      env,
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n')[0]).toMatch(/^VERB\s+RESOURCE\s+NAMESPACE\s+NAME\s+LAST USED\s+COUNT$/);
    expect(shown.stdout).toMatch(/get\s+secrets\s+payments\s+db\s+\S+\s+1/);
    const json = await cli(['usage', 'show', 'sa/payments/api', '--cluster', 'prod', '-o', 'json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'known',
      subject: `user:${sa}`,
      permissions: [{}, {}],
    });
  });

  it('says usage is unknown for a cluster with no ingested log, and names a subject it cannot read', async () => {
    fresh = await freshStore('sqlite');
    const env = { GATEHOUSE_HOME: fresh.options.dataDir };
    const unknown = await cli(['usage', 'show', 'user/alice', '--cluster', 'staging'], env);
    expect(unknown).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/usage unknown: no audit log of cluster "staging"/),
    });
    const bad = await cli(['usage', 'show', 'alice', '--cluster', 'staging'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"alice" names no subject.*user\/NAME/);
    const missing = await cli(['usage', 'ingest', '/nonexistent/audit.log', '--cluster', 'prod'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/audit.log.*Give the path/);
  });
});
