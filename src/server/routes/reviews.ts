import { Hono } from 'hono';
import { parseDuration } from '../../access/index.js';
import { requireRole } from '../../identity/index.js';
import {
  type ClusterAccess,
  closeCampaign,
  createCampaign,
  decide,
  parseDeadline,
  parseReminderOffsets,
  parseReviewer,
  type ReviewerRef,
  reassign,
  takeEvidence,
  visibleCampaigns,
  visibleQueue,
} from '../../reviews/index.js';
import type { AppOptions } from '../app.js';
import { type RouteDescription, routerPath, routes } from '../contract/index.js';
import type { ServerEnv } from '../env.js';
import { bodyOf, paramsOf, queryOf, reply } from '../validate.js';

const path = (route: RouteDescription) => routerPath(route, '/v1');

/** The clusters reviews revoke on, as the app reaches them. */
export function reviewClusters(options: Pick<AppOptions, 'clientFor' | 'accessEntriesFor'>): ClusterAccess {
  return {
    clientFor: options.clientFor,
    ...(options.accessEntriesFor ? { accessEntriesFor: options.accessEntriesFor } : {}),
  };
}

/** Access reviews over HTTP, mounted at /v1. Policy lives in the capability; routes validate and answer. */
export function reviewRoutes(options: AppOptions): Hono<ServerEnv> {
  const { store } = options;
  const app = new Hono<ServerEnv>();
  app.get(path(routes.listReviews), async (c) =>
    reply(c, routes.listReviews, 200, { items: await visibleCampaigns(store, c.get('principal')) }),
  );
  app.post(path(routes.createReview), async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin', 'create access reviews');
    const body = await bodyOf(c, routes.createReview);
    const reviewers = {
      ...(body.reviewers.namespaceOwners ? { namespaceOwners: true } : {}),
      ...(body.reviewers.reviewer ? { reviewer: parseReviewer(body.reviewers.reviewer) } : {}),
      fallback: parseReviewer(body.reviewers.fallback),
    };
    const { campaign, items } = await createCampaign(
      store,
      {
        name: body.name,
        cluster: body.cluster,
        ...(body.runId ? { runId: body.runId } : {}),
        scope: body.scope,
        reviewers,
        deadlineAt: parseDeadline(body.deadline),
        defaultAction: body.defaultAction,
        ...(body.reminders ? { reminderOffsets: parseReminderOffsets(body.reminders.join(',')) } : {}),
        ...(body.every ? { recurEverySeconds: parseDuration(body.every, 'every') } : {}),
      },
      { principal },
    );
    return reply(c, routes.createReview, 201, { campaign, items: items.length });
  });
  app.get(path(routes.getReview), async (c) => {
    const { id } = paramsOf(c, routes.getReview);
    const query = queryOf(c, routes.getReview);
    const filter = {
      ...(query.state ? { state: query.state } : {}),
      ...(query.reviewer ? { reviewer: parseReviewer(query.reviewer) as ReviewerRef } : {}),
      ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
      ...(query.severity ? { severity: query.severity } : {}),
      ...(query.mine === 'true' ? { mine: true } : {}),
    };
    return reply(c, routes.getReview, 200, await visibleQueue(store, c.get('principal'), id, filter));
  });
  app.post(path(routes.decideReview), async (c) => {
    const { id } = paramsOf(c, routes.decideReview);
    const body = await bodyOf(c, routes.decideReview);
    const report = await decide(
      store,
      {
        campaignId: id,
        itemIds: body.items,
        decision: body.decision,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(body.dryRun ? { dryRun: true } : {}),
      },
      { principal: c.get('principal'), clusters: reviewClusters(options) },
    );
    return reply(c, routes.decideReview, 200, report);
  });
  app.post(path(routes.reassignReview), async (c) => {
    const { id } = paramsOf(c, routes.reassignReview);
    const body = await bodyOf(c, routes.reassignReview);
    const report = await reassign(
      store,
      {
        campaignId: id,
        itemIds: body.items,
        to: parseReviewer(body.to),
        comment: body.comment,
        kind: body.delegate ? 'delegate' : 'reassign',
      },
      { principal: c.get('principal') },
    );
    return reply(c, routes.reassignReview, 200, report);
  });
  app.post(path(routes.closeReview), async (c) => {
    const { id } = paramsOf(c, routes.closeReview);
    return reply(c, routes.closeReview, 200, {
      campaign: await closeCampaign(store, id, { principal: c.get('principal') }),
    });
  });
  app.get(path(routes.exportReview), async (c) => {
    const { id } = paramsOf(c, routes.exportReview);
    return reply(
      c,
      routes.exportReview,
      200,
      await takeEvidence(store, c.get('principal'), id, {
        format: 'json',
        via: 'api',
        ...(options.usageOf ? { usageOf: options.usageOf } : {}),
      }),
    );
  });
  return app;
}
