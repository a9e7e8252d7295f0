import type { Hono } from 'hono';
import { hasRole } from '../identity/index.js';
import { type Campaign, type CampaignCounts, visibleCampaigns } from '../reviews/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty, When } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { mountNewCampaign } from './review-new.js';
import { mountReviewPage } from './review-page.js';
import { mountReviewReport } from './review-report.js';

/** Decided share of a campaign, as a bar and as words (the words are what screen readers read). */
export function Progress(props: { counts: CampaignCounts }) {
  const { counts } = props;
  const done = counts.total - counts.pending - counts['revoke-failed'];
  return (
    <span>
      <progress max={counts.total} value={done} aria-label={`${done} of ${counts.total} decided`} />
      {` ${done} of ${counts.total} decided`}
      {counts['revoke-failed'] > 0 ? ` · ${counts['revoke-failed']} revocation(s) failed` : ''}
    </span>
  );
}

function CampaignTable(props: {
  rows: readonly { campaign: Campaign; counts: CampaignCounts }[];
  admin: boolean;
}) {
  if (props.rows.length === 0)
    return (
      <Empty>
        {props.admin
          ? 'No access review yet. Open the first with New campaign above.'
          : 'No access review includes you yet. Administrators open them here or with gatehouse reviews create.'}
      </Empty>
    );
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Cluster</th>
            <th scope="col">State</th>
            <th scope="col">Progress</th>
            <th scope="col">Deadline</th>
            <th scope="col">Default action</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map(({ campaign, counts }) => (
            <tr>
              <td class="wrap">
                <a href={`/reviews/${campaign.id}`}>{campaign.name}</a>
              </td>
              <td>{campaign.cluster}</td>
              <td>
                <span class={`badge badge-${campaign.state === 'open' ? 'pending' : 'ended'}`}>
                  {campaign.state}
                </span>
              </td>
              <td>
                <Progress counts={counts} />
              </td>
              <td>
                <When at={campaign.deadlineAt} />
              </td>
              <td>{campaign.defaultAction}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function reviewsPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const rows = await visibleCampaigns(options.store, signed.principal);
  const admin = hasRole(signed.principal, 'admin');
  return await html(
    c,
    <Layout signed={signed} path="/reviews" title="Access reviews">
      <p class="lead">
        Campaigns that certify or revoke standing access. Each is frozen to one sync of its cluster;
        revocations are proven on the cluster with SubjectAccessReview.
      </p>
      {admin ? (
        <p>
          <a class="button" href="/reviews/new">
            New campaign
          </a>
        </p>
      ) : null}
      <CampaignTable rows={rows} admin={admin} />
    </Layout>,
  );
}

/** `/reviews` (campaigns with progress), `/reviews/ID` (a reviewer's queue) and the evidence downloads. */
export function mountReviews(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/reviews',
    page(options, (c, signed) => reviewsPage(c, options, signed)),
  );
  // Before /reviews/:id, which would take "new" for an id.
  mountNewCampaign(app, options);
  mountReviewReport(app, options);
  mountReviewPage(app, options);
}
