import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewPopulation } from '../../test/support/review-population.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, saveSyncRun } from '../inventory/index.js';
import type { Store } from '../store/index.js';
import { ingestAuditLog } from '../usage/index.js';
import { auditLine } from '../usage/test-events.js';
import { createCampaign } from './campaigns.js';
import { campaignEvidence } from './evidence.js';
import { listItems } from './repository.js';
import type { ReviewItem, UsageSummary } from './types.js';
import { usageFromAuditLog, usageOfItems } from './usage.js';

const dayMs = 86_400_000;
const now = new Date();

/** A campaign over a random population; its audit events ingested unless `events` is 0. */
async function randomCampaign(store: Store, seed: number, events: number) {
  const population = reviewPopulation({
    seed,
    namespaces: 6,
    users: 25,
    groups: 6,
    accountsPerNamespace: 3,
    bindingsPerNamespace: 8,
    clusterBindings: 10,
    iamRoles: 4,
  });
  const at = new Date().toISOString();
  const read = population.read;
  const run = { cluster: 'prod', server: 'https://prod', startedAt: at, finishedAt: at };
  await saveSyncRun(
    store,
    { ...run, status: 'succeeded', counts: countsOf(read), resourceVersions: {}, errors: [] },
    read,
  );
  if (events > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'usage-many-'));
    try {
      const lines = population.events(events, now.getTime() - 120 * dayMs, now.getTime() - 60_000);
      writeFileSync(join(dir, 'audit.log'), `${lines.map(auditLine).join('\n')}\n`);
      await ingestAuditLog(store, { cluster: 'prod', path: dir, actor: 'local:test' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const { campaign } = await createCampaign(
    store,
    {
      name: `random ${seed}`,
      cluster: 'prod',
      scope: {},
      reviewers: { fallback: 'user:carol' },
      deadlineAt: new Date(Date.now() + dayMs).toISOString(),
      defaultAction: 'leave',
    },
    { principal: localPrincipal({ subject: 'root' }) },
  );
  return { campaign, items: await listItems(store, campaign.id) };
}

async function oneByOne(store: Store, items: readonly ReviewItem[]): Promise<Map<string, UsageSummary>> {
  const usageOf = usageFromAuditLog(store, { now: () => now });
  const answers = new Map<string, UsageSummary>();
  for (const item of items) answers.set(item.id, await usageOf(item));
  return answers;
}

/** The store, with every query it runs counted. */
function counted(store: Store): { store: Store; queries: () => number } {
  let queries = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, queries: () => queries };
}

describe.each(dialects)('usage of a whole review queue at once on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());
  const open = async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  };

  it.each([7, 1234])(
    'gives every item of a random campaign (seed %i) the same usage as asking item by item',
    async (seed) => {
      const store = await open();
      const { items } = await randomCampaign(store, seed, 3000);
      expect(items.length).toBeGreaterThan(40);
      const expected = await oneByOne(store, items);
      const batched = await usageOfItems(usageFromAuditLog(store, { now: () => now }), items);
      expect(new Map(batched)).toEqual(expected);
      const kinds = [...expected.values()].map((usage) =>
        usage.kind === 'summary' ? (usage.revokeCandidate ? 'unused' : 'used') : 'unknown',
      );
      // The random data must exercise both outcomes, or the comparison proves little.
      expect(kinds).toContain('used');
      expect(kinds).toContain('unused');
    },
  );

  it('asks the store the same few queries for a page of ten items as for the whole campaign', async () => {
    const { store: plain } = { store: await open() };
    const { items } = await randomCampaign(plain, 99, 2000);
    const queriesFor = async (subset: readonly ReviewItem[]) => {
      const { store, queries } = counted(plain);
      await usageOfItems(usageFromAuditLog(store, { now: () => now }), subset);
      return queries();
    };
    const page = await queriesFor(items.slice(0, 10));
    const all = await queriesFor(items);
    expect(all).toBe(page);
    expect(all).toBeLessThanOrEqual(5);
    const { store, queries } = counted(plain);
    await oneByOne(store, items);
    expect(queries()).toBeGreaterThan(items.length * 3);
  });

  it('says usage is unknown for every item, as item by item does, when no audit log was ingested', async () => {
    const store = await open();
    const { campaign, items } = await randomCampaign(store, 5, 0);
    const expected = await oneByOne(store, items);
    const evidence = await campaignEvidence(store, campaign.id, {
      usageOf: usageFromAuditLog(store, { now: () => now }),
    });
    expect(new Map(evidence.items.map((item) => [item.id, item.usage]))).toEqual(expected);
    expect(evidence.items.every((item) => item.usage.kind === 'unknown')).toBe(true);
    expect(evidence.items[0]?.usage.kind === 'unknown' && evidence.items[0].usage.why).toContain(
      'gatehouse usage ingest',
    );
  });
});
