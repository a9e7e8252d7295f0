import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../../test/support/cli.js';
import { reviewPopulation } from '../../../test/support/review-population.js';
import { dialects, type FreshStore, freshStore } from '../../../test/support/stores.js';
import { unreachableClient } from '../../../test/support/unreachable-client.js';
import { createToken, localPrincipal } from '../../identity/index.js';
import { countsOf, saveSyncRun } from '../../inventory/index.js';
import { createCampaign, usageFromAuditLog } from '../../reviews/index.js';
import { ingestAuditLog } from '../../usage/index.js';
import { auditLine } from '../../usage/test-events.js';
import { createApp } from '../app.js';
import { openApiDocument } from '../openapi.js';
import { routes } from './routes.js';
import { usageSummarySchema } from './usage-schema.js';

const dayMs = 86_400_000;

/** A campaign over a small random cluster whose audit events were ingested. */
async function campaignWithUsage(fresh: FreshStore): Promise<string> {
  const { store } = fresh;
  const population = reviewPopulation({
    seed: 11,
    namespaces: 3,
    users: 10,
    groups: 3,
    accountsPerNamespace: 2,
    bindingsPerNamespace: 6,
    clusterBindings: 4,
    iamRoles: 2,
  });
  const at = new Date().toISOString();
  const run = { cluster: 'prod', server: 'https://prod', startedAt: at, finishedAt: at };
  const read = population.read;
  await saveSyncRun(
    store,
    { ...run, status: 'succeeded', counts: countsOf(read), resourceVersions: {}, errors: [] },
    read,
  );
  const dir = mkdtempSync(join(tmpdir(), 'usage-schema-'));
  try {
    const events = population.events(1500, Date.now() - 100 * dayMs, Date.now() - 60_000);
    writeFileSync(join(dir, 'audit.log'), `${events.map(auditLine).join('\n')}\n`);
    await ingestAuditLog(store, { cluster: 'prod', path: dir, actor: 'local:test' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { campaign } = await createCampaign(
    store,
    {
      name: 'typed usage',
      cluster: 'prod',
      scope: {},
      reviewers: { fallback: 'user:carol' },
      deadlineAt: new Date(Date.now() + dayMs).toISOString(),
      defaultAction: 'leave',
    },
    { principal: localPrincipal({ subject: 'root' }) },
  );
  return campaign.id;
}

/** The usage of each item, after checking the whole evidence validates against the route's answer. */
function validatedUsage(body: unknown): unknown[] {
  const declared = routes.exportReview.responses[200];
  expect(declared.parse(body)).toEqual(body);
  return (body as { items: { usage: unknown }[] }).items.map((item) => item.usage);
}

describe.each(dialects)('typed usage evidence on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('validates the API’s evidence answer and the JSON export against the UsageSummary schema, field by field', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const id = await campaignWithUsage(fresh);
    const { token } = await createToken(fresh.store, { user: 'root', admin: true, createdBy: 'test' });
    const app = createApp({
      store: fresh.store,
      clientFor: async () => unreachableClient(),
      usageOf: usageFromAuditLog(fresh.store),
    });
    const response = await app.request(`/v1/reviews/${id}/evidence`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const fromApi = validatedUsage(await response.json());
    const env = {
      GATEHOUSE_HOME: fresh.options.dataDir,
      ...(fresh.options.url ? { GATEHOUSE_DATABASE_URL: fresh.options.url } : {}),
    };
    const exported = await cli(['reviews', 'export', id, '-o', 'json'], env);
    expect(exported.stderr).toBe('');
    const fromExport = validatedUsage(JSON.parse(exported.stdout));
    for (const usage of [...fromApi, ...fromExport]) expect(usageSummarySchema.parse(usage)).toEqual(usage);
    // Both kinds of answer with every optional field must have been checked, or this proves little.
    const summaries = fromApi.filter((usage) => (usage as { kind: string }).kind === 'summary');
    expect(summaries.some((usage) => (usage as { revokeCandidate: boolean }).revokeCandidate)).toBe(true);
    expect(summaries.some((usage) => 'smallerRole' in (usage as object))).toBe(true);
    expect(summaries.some((usage) => 'lastUsedAt' in (usage as object))).toBe(true);
    expect(fromExport).toEqual(fromApi);
  });
});

describe('the UsageSummary schema', () => {
  it('names each field of usage in the API document, with the smaller role as RBAC rules', () => {
    const schemas = openApiDocument.components.schemas as Record<string, unknown>;
    const usage = JSON.stringify(schemas.UsageSummary);
    for (const field of ['lastUsedAt', 'requests', 'window', 'revokeCandidate', 'unusedRules', 'why'])
      expect(usage).toContain(`"${field}"`);
    expect(usage).toContain('#/components/schemas/PolicyRule');
    expect(JSON.stringify(schemas.ReviewEvidence)).toContain('#/components/schemas/UsageSummary');
  });

  it('refuses usage with a missing window, a count as text or an unknown kind', () => {
    const window = { from: '2026-09-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
    expect(
      usageSummarySchema.safeParse({ kind: 'summary', requests: 1, revokeCandidate: false }).success,
    ).toBe(false);
    expect(
      usageSummarySchema.safeParse({ kind: 'summary', requests: '1', window, revokeCandidate: false })
        .success,
    ).toBe(false);
    expect(usageSummarySchema.safeParse({ kind: 'maybe' }).success).toBe(false);
    expect(usageSummarySchema.parse({ kind: 'summary', requests: 0, window, revokeCandidate: true })).toEqual(
      {
        kind: 'summary',
        requests: 0,
        window,
        revokeCandidate: true,
      },
    );
  });
});
