import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { reviewRead } from '../../test/support/review-read.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { unreachableClient } from '../../test/support/unreachable-client.js';
import { listAudit, verifyAudit } from '../audit/index.js';
import { localPrincipal } from '../identity/index.js';
import { countsOf, findSyncRun, listSyncRuns, saveSyncRun } from '../inventory/index.js';
import type { Store } from '../store/index.js';
import { closeCampaign, createCampaign } from './campaigns.js';
import { decide } from './decisions.js';
import { reassign } from './reassign.js';
import { countItems, getCampaign, getItem, listItems } from './repository.js';

const admin = localPrincipal({ subject: 'root' });
const clusters = { clientFor: async () => unreachableClient(), settleMs: 0 };
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function synced(store: Store) {
  const read = reviewRead();
  const at = new Date().toISOString();
  return await saveSyncRun(
    store,
    {
      cluster: 'prod',
      server: 'https://prod',
      startedAt: at,
      finishedAt: at,
      status: 'succeeded',
      counts: countsOf(read),
      resourceVersions: {},
      errors: [],
    },
    read,
  );
}

async function campaignOn(store: Store) {
  await synced(store);
  return await createCampaign(
    store,
    {
      name: 'Q4 prod',
      cluster: 'prod',
      scope: {},
      reviewers: { namespaceOwners: true, reviewer: 'user:alice', fallback: 'user:carol' },
      deadlineAt: inAWeek(),
      defaultAction: 'leave',
    },
    { principal: admin },
  );
}

describe.each(dialects)('access review campaigns on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());
  const open = async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    return fresh.store;
  };

  it('creates a campaign from the latest sync, frozen by its hash, with one reviewer per item, and audits it', async () => {
    const store = await open();
    const run = await synced(store);
    const { campaign, items } = await createCampaign(
      store,
      {
        name: 'Q4 prod',
        cluster: 'prod',
        scope: {},
        reviewers: { namespaceOwners: true, reviewer: 'user:alice', fallback: 'user:carol' },
        deadlineAt: inAWeek(),
        defaultAction: 'leave',
      },
      { principal: admin },
    );
    expect(campaign.syncRunId).toBe(run.id);
    expect(campaign.snapshotHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await listItems(store, campaign.id)).toEqual(items);
    const byName = (name: string) => items.find((item) => item.subject.name === name)!;
    expect([byName('olivia').reviewer, byName('olivia').reviewerRule]).toEqual(['user:bob', 'owners']);
    expect([byName('bob').reviewer, byName('bob').reviewerRule]).toEqual(['user:carol', 'self']);
    expect([byName('alice').reviewer, byName('alice').reviewerRule]).toEqual(['user:carol', 'self']);
    expect([byName('dave').reviewer, byName('dave').reviewerRule]).toEqual(['user:alice', 'named']);
    const [entry] = await listAudit(store, { afterSeq: 0, limit: 10 });
    expect(entry).toMatchObject({ actor: 'root', action: 'review.create', target: `review/${campaign.id}` });
    expect(entry!.details).toMatchObject({ snapshotHash: campaign.snapshotHash, items: items.length });
  });

  it('refuses a scope that selects nothing and creates no campaign', async () => {
    const store = await open();
    await synced(store);
    const creating = createCampaign(
      store,
      {
        name: 'empty',
        cluster: 'prod',
        scope: { namespaces: ['nowhere'] },
        reviewers: { fallback: 'user:carol' },
        deadlineAt: inAWeek(),
        defaultAction: 'leave',
      },
      { principal: admin },
    );
    await expect(creating).rejects.toThrow(/selects no grants/);
    expect(await store.db.selectFrom('review_campaigns').selectAll().execute()).toEqual([]);
  });

  it('finds a campaign, an item and a run by the start of their id, and nothing by a wildcard or an empty id', async () => {
    const store = await open();
    const { campaign } = await campaignOn(store);
    const [item] = await listItems(store, campaign.id);
    const [run] = await listSyncRuns(store, 'prod');
    expect((await getCampaign(store, campaign.id.slice(0, 6).toUpperCase())).id).toBe(campaign.id);
    expect((await getItem(store, campaign.id, item!.id.slice(0, 8))).id).toBe(item!.id);
    expect((await findSyncRun(store, run!.id.slice(0, 8))).id).toBe(run!.id);
    // The only campaign, item and run: a pattern that matches anything must still name nothing.
    for (const typed of ['%', '_', '%%', '', ' ', `${campaign.id.slice(0, 4)}%`]) {
      await expect(getCampaign(store, typed)).rejects.toMatchObject({ code: 'not-found' });
      await expect(findSyncRun(store, typed)).rejects.toMatchObject({ code: 'not-found' });
    }
    await expect(getItem(store, campaign.id, '_')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('lets only admins create campaigns', async () => {
    const store = await open();
    await synced(store);
    const creating = createCampaign(
      store,
      {
        name: 'x',
        cluster: 'prod',
        scope: {},
        reviewers: { fallback: 'user:carol' },
        deadlineAt: inAWeek(),
        defaultAction: 'leave',
      },
      { principal: person('alice') },
    );
    await expect(creating).rejects.toMatchObject({ code: 'auth.forbidden' });
  });

  it('requires a reason to keep a high-risk grant and to revoke, and refuses reviewers their own access', async () => {
    const store = await open();
    const { campaign, items } = await campaignOn(store);
    const carolAdmin = items.find((item) => item.subject.name === 'carol')!;
    const carol = person('carol');
    const noReason = await decide(
      store,
      { campaignId: campaign.id, itemIds: [carolAdmin.id], decision: 'keep' },
      { principal: carol, clusters },
    );
    expect(noReason.refused[0]!.why).toMatch(/nobody reviews their own access/);
    const kept = await decide(
      store,
      { campaignId: campaign.id, itemIds: [carolAdmin.id], decision: 'keep' },
      { principal: admin, clusters },
    );
    expect(kept.refused[0]!.why).toBe('keeping a critical-risk grant needs a reason');
    const withReason = await decide(
      store,
      { campaignId: campaign.id, itemIds: [carolAdmin.id], decision: 'keep', reason: 'on-call lead' },
      { principal: admin, clusters },
    );
    expect(withReason.decided[0]).toMatchObject({
      state: 'kept',
      decision: { kind: 'keep', reason: 'on-call lead', by: 'root' },
    });
    const bob = items.find((item) => item.subject.name === 'olivia')!;
    const revoke = await decide(
      store,
      { campaignId: campaign.id, itemIds: [bob.id], decision: 'revoke' },
      { principal: person('bob'), clusters },
    );
    expect(revoke.refused[0]!.why).toBe('a revoke needs a reason');
  });

  it('decides several items at once, refusing each one it may not decide by name', async () => {
    const store = await open();
    const { campaign, items } = await campaignOn(store);
    const carolItems = items.filter(
      (item) => item.reviewer === 'user:carol' && item.subject.name !== 'carol',
    );
    const foreign = items.find((item) => item.reviewer === 'user:bob')!;
    const report = await decide(
      store,
      {
        campaignId: campaign.id,
        itemIds: [...carolItems.map((item) => item.id), foreign.id, 'nope'],
        decision: 'keep',
        reason: 'still needed',
      },
      { principal: person('carol'), clusters },
    );
    expect(report.decided.map((item) => item.id).sort()).toEqual(carolItems.map((item) => item.id).sort());
    expect(report.refused.map((entry) => entry.id)).toEqual(['nope', foreign.id]);
    expect((await countItems(store, campaign.id)).kept).toBe(carolItems.length);
    const decisions = (await listAudit(store, { afterSeq: 0, limit: 100 })).filter(
      (event) => event.action === 'review.decide',
    );
    expect(decisions).toHaveLength(carolItems.length);
    expect((await verifyAudit(store)).ok).toBe(true);
  });

  it('keeps a revocation that could not reach the cluster open, saying why', async () => {
    const store = await open();
    const { campaign, items } = await campaignOn(store);
    const olivia = items.find((item) => item.subject.name === 'olivia')!;
    const report = await decide(
      store,
      { campaignId: campaign.id, itemIds: [olivia.id], decision: 'revoke', reason: 'moved teams' },
      { principal: person('bob'), clusters },
    );
    expect(report.decided[0]).toMatchObject({ state: 'revoke-failed', revocation: { status: 'failed' } });
    expect(report.decided[0]!.revocation!.error).toMatch(/127\.0\.0\.1:1/);
    const [stored] = await listItems(store, campaign.id, { ids: [olivia.id] });
    expect(stored!.state).toBe('revoke-failed');
    const revokeEntry = (await listAudit(store, { afterSeq: 0, limit: 100 })).find(
      (event) => event.action === 'review.revoke',
    );
    expect(revokeEntry).toMatchObject({ outcome: 'failed', actor: 'bob' });
  });

  it('reassigns and delegates with a comment kept on the item, never to the subject itself', async () => {
    const store = await open();
    const { campaign, items } = await campaignOn(store);
    const olivia = items.find((item) => item.subject.name === 'olivia')!;
    const noComment = await reassign(
      store,
      { campaignId: campaign.id, itemIds: [olivia.id], to: 'user:dan', comment: ' ', kind: 'delegate' },
      { principal: person('bob') },
    );
    expect(noComment.refused[0]!.why).toBe('a reassignment needs a comment');
    const toSelf = await reassign(
      store,
      { campaignId: campaign.id, itemIds: [olivia.id], to: 'user:olivia', comment: 'x', kind: 'delegate' },
      { principal: person('bob') },
    );
    expect(toSelf.refused[0]!.why).toMatch(/own access/);
    const stranger = await reassign(
      store,
      { campaignId: campaign.id, itemIds: [olivia.id], to: 'user:dan', comment: 'x', kind: 'delegate' },
      { principal: person('eve') },
    );
    expect(stranger.refused[0]!.why).toMatch(/only user:bob can delegate/);
    const moved = await reassign(
      store,
      {
        campaignId: campaign.id,
        itemIds: [olivia.id],
        to: 'group:payments-leads',
        comment: 'on leave until Jan',
        kind: 'delegate',
      },
      { principal: person('bob') },
    );
    expect(moved.reassigned[0]).toMatchObject({
      reviewer: 'group:payments-leads',
      reviewerRule: 'reassigned',
      notes: [{ by: 'bob', from: 'user:bob', comment: 'on leave until Jan' }],
    });
    const lead = person('lee', ['payments-leads']);
    const kept = await decide(
      store,
      { campaignId: campaign.id, itemIds: [olivia.id], decision: 'keep' },
      { principal: lead, clusters },
    );
    expect(kept.decided).toHaveLength(1);
  });

  it('closes a campaign once, and refuses decisions after', async () => {
    const store = await open();
    const { campaign, items } = await campaignOn(store);
    await closeCampaign(store, campaign.id.slice(0, 8), { principal: admin });
    await expect(closeCampaign(store, campaign.id, { principal: admin })).rejects.toMatchObject({
      code: 'conflict',
    });
    const late = await decide(
      store,
      { campaignId: campaign.id, itemIds: [items[0]!.id], decision: 'keep', reason: 'x' },
      { principal: admin, clusters },
    );
    expect(late.refused[0]!.why).toBe('the campaign is closed');
  });
});
