import { afterEach, describe, expect, it } from 'vitest';
import { reviewRead } from '../../../test/support/review-read.js';
import { dialects, freshStore } from '../../../test/support/stores.js';
import { unreachableClient } from '../../../test/support/unreachable-client.js';
import { createToken } from '../../identity/index.js';
import { countsOf, saveSyncRun } from '../../inventory/index.js';
import { createApp } from '../app.js';
import {
  createClient,
  errorSchema,
  type RouteDescription,
  type RouteName,
  routes,
} from '../contract/index.js';
import { reviewRoutes } from '../contract/reviews.js';

interface Exchange {
  readonly route: RouteName;
  readonly status: number;
  readonly body: unknown;
}

function routeOf(method: string, url: string): RouteName {
  const path = new URL(url).pathname;
  const found = (Object.entries(routes) as [RouteName, RouteDescription][]).find(
    ([, route]) =>
      route.method === method.toLowerCase() &&
      new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );
  if (!found) throw new Error(`no route for ${method} ${path}`);
  return found[0];
}

describe.each(dialects)('the access review API on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function setup() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const read = reviewRead();
    const at = new Date().toISOString();
    await saveSyncRun(
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
    const token = async (user: string, admin = false) =>
      (await createToken(store, { user, admin, createdBy: 'test' })).token;
    const tokens = { root: await token('root', true), bob: await token('bob'), eve: await token('eve') };
    const app = createApp({ store, clientFor: async () => unreachableClient() });
    const exchanges: Exchange[] = [];
    const fetch = async (url: string, init: RequestInit) => {
      const response = await app.request(url, init);
      exchanges.push({
        route: routeOf(init.method ?? 'GET', url),
        status: response.status,
        body: await response.clone().json(),
      });
      return response;
    };
    const as = (user: keyof typeof tokens) =>
      createClient({ baseUrl: 'http://gatehouse.test', token: tokens[user], fetch });
    return { as, exchanges, store };
  }

  it('answers every review route with a body its description declares', async () => {
    const { as, exchanges } = await setup();
    const [root, bob] = [as('root'), as('bob')];
    const created = await root.createReview({
      body: {
        name: 'Q4',
        cluster: 'prod',
        scope: { namespaces: ['payments'] },
        reviewers: { namespaceOwners: true, fallback: 'user:carol' },
        deadline: '14d',
        reminders: ['3d'],
      },
    });
    expect(created.items).toBe(3);
    const params = { id: created.campaign.id };
    expect((await bob.listReviews()).items.map((entry) => entry.campaign.id)).toEqual([created.campaign.id]);
    const queue = await bob.getReview({ params, query: { state: 'pending' } });
    expect(queue.items.map((item) => item.subject.name).sort()).toEqual(['api', 'olivia']);
    const olivia = queue.items.find((item) => item.subject.name === 'olivia')!;
    const api = queue.items.find((item) => item.subject.name === 'api')!;
    const kept = await bob.decideReview({
      params,
      body: { items: [olivia.id], decision: 'keep', reason: 'needed' },
    });
    expect(kept.decided[0]!.state).toBe('kept');
    const failed = await bob.decideReview({
      params,
      body: { items: [api.id], decision: 'revoke', reason: 'unused' },
    });
    expect(failed.decided[0]!.state).toBe('revoke-failed');
    const moved = await bob.reassignReview({
      params,
      body: { items: [api.id], to: 'user:dan', comment: 'dan owns the api', delegate: true },
    });
    expect(moved.reassigned[0]!.reviewer).toBe('user:dan');
    const evidence = await root.exportReview({ params });
    expect(evidence.trail.map((event) => event.action)).toEqual([
      'review.create',
      'review.decide',
      'review.decide',
      'review.revoke',
      'review.delegate',
    ]);
    await root.closeReview({ params });
    for (const { route: name, status, body } of exchanges) {
      const declared = (routes[name] as RouteDescription).responses[status as 200 | 201];
      expect({ name, status, declared: declared !== undefined }).toEqual({ name, status, declared: true });
      expect({ name, body: declared?.parse(body) }).toEqual({ name, body });
    }
    const answered = new Set(exchanges.map(({ route }) => route));
    expect(Object.keys(reviewRoutes).filter((name) => !answered.has(name as RouteName))).toEqual([]);
  });

  it('gives a reviewer only their own items as evidence, marked partial, and records every taking and refusal', async () => {
    const { as, store } = await setup();
    const created = await as('root').createReview({
      body: { name: 'Q4', cluster: 'prod', reviewers: { fallback: 'user:bob' }, deadline: '1d' },
    });
    const params = { id: created.campaign.id };
    const all = await as('root').exportReview({ params });
    expect(all.only).toBeUndefined();
    const mine = await as('bob').exportReview({ params });
    expect(mine.only).toBe('the items reviewed by bob');
    expect(mine.items.length).toBe(all.items.length);
    expect(mine.items.every((item) => item.reviewer === 'user:bob')).toBe(true);
    await expect(as('eve').exportReview({ params })).rejects.toMatchObject({ code: 'not-found' });
    const takings = await store.db
      .selectFrom('audit_events')
      .select(['actor', 'outcome', 'details'])
      .where('action', '=', 'review.export')
      .orderBy('seq')
      .execute();
    expect(takings.map((row) => [row.actor, row.outcome])).toEqual([
      ['root', 'succeeded'],
      ['bob', 'succeeded'],
      ['eve', 'denied'],
    ]);
    expect(JSON.parse(String(takings[1]!.details))).toMatchObject({
      format: 'json',
      via: 'api',
      only: mine.only,
    });
  });

  it('shows a campaign only to its reviewers, auditors and admins, and lets only admins open and close one', async () => {
    const { as, exchanges } = await setup();
    const created = await as('root').createReview({
      body: { name: 'Q4', cluster: 'prod', reviewers: { fallback: 'user:carol' }, deadline: '1d' },
    });
    const params = { id: created.campaign.id };
    expect((await as('eve').listReviews()).items).toEqual([]);
    await expect(as('eve').getReview({ params })).rejects.toMatchObject({ code: 'not-found' });
    // Evidence as the queue: someone outside the campaign is told it does not exist, and recorded.
    await expect(as('eve').exportReview({ params })).rejects.toMatchObject({ code: 'not-found' });
    await expect(
      as('bob').createReview({
        body: { name: 'x', cluster: 'prod', reviewers: { fallback: 'user:bob' }, deadline: '1d' },
      }),
    ).rejects.toMatchObject({ code: 'auth.forbidden' });
    await expect(as('bob').closeReview({ params })).rejects.toMatchObject({ code: 'auth.forbidden' });
    await expect(
      as('root').createReview({
        body: { name: 'x', cluster: 'prod', reviewers: { fallback: 'nobody here' }, deadline: '1d' },
      }),
    ).rejects.toMatchObject({ code: 'input.invalid' });
    for (const { route, status, body } of exchanges.filter((exchange) => exchange.status >= 300)) {
      expect({
        route,
        declared: (routes[route] as RouteDescription).errors.includes(status as never),
      }).toEqual({
        route,
        declared: true,
      });
      expect(errorSchema.parse(body)).toEqual(body);
    }
  });
});
