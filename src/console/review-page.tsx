import type { Hono } from 'hono';
import {
  type Campaign,
  type CampaignCounts,
  type DecisionReport,
  decide,
  grantLabel,
  type ItemState,
  parseReviewer,
  type ReassignReport,
  type ReviewItem,
  reassign,
  seesAll,
  subjectLabel,
  type UsageSummary,
  usageOfItems,
  visibleQueue,
} from '../reviews/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Csrf, Empty, When } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { CandidateBadge, ItemDetails } from './review-item.js';
import { FilterForm, filtersOf, Outcome } from './review-parts.js';
import { Progress } from './reviews.js';

function itemTone(state: ItemState): string {
  switch (state) {
    case 'pending':
      return 'pending';
    case 'kept':
      return 'active';
    case 'revoked':
    case 'left':
      return 'ended';
    case 'revoke-failed':
      return 'refused';
    default: {
      const unknown: never = state;
      return unknown;
    }
  }
}

function QueueTable(props: { items: readonly ReviewItem[]; usage: ReadonlyMap<string, UsageSummary> }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
            <th scope="col">Subject</th>
            <th scope="col">Grant</th>
            <th scope="col">Risk</th>
            <th scope="col">Others</th>
            <th scope="col">Reviewer</th>
            <th scope="col">State</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((item) => (
            <tr id={`item-${item.id}`}>
              <td>
                <input
                  type="checkbox"
                  name="item"
                  value={item.id}
                  aria-label={`Select ${subjectLabel(item.subject)}: ${grantLabel(item.grant)}`}
                  disabled={item.state !== 'pending' && item.state !== 'revoke-failed'}
                />
              </td>
              <td class="wrap">{subjectLabel(item.subject)}</td>
              <td class="wrap">
                <code>{grantLabel(item.grant)}</code>
              </td>
              <td>
                {item.severity ? (
                  <span class={`badge badge-risk badge-${item.severity}`}>{item.severity}</span>
                ) : (
                  '–'
                )}
              </td>
              <td>{String(item.holders)}</td>
              <td class="wrap">{item.reviewer}</td>
              <td>
                <span class={`badge badge-${itemTone(item.state)}`}>{item.state}</span>{' '}
                <CandidateBadge usage={props.usage.get(item.id)} />
              </td>
              <td class="wrap">
                <ItemDetails item={item} usage={props.usage.get(item.id)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BulkActions(props: { id: string }) {
  const base = `/reviews/${props.id}`;
  return (
    <div class="stack bulk">
      <div class="field">
        <label for="bulk-reason">
          Reason (required to revoke and to keep a high or critical risk; kept in the audit log)
        </label>
        <textarea id="bulk-reason" name="reason" rows={2} maxlength={2000} />
      </div>
      <div class="actions">
        <button type="submit" name="decision" value="keep">
          Keep selected
        </button>
        <button type="submit" name="decision" value="revoke" class="danger">
          Revoke selected
        </button>
        <button type="submit" name="decision" value="dry-run" class="secondary">
          Dry run: show what revoking would change
        </button>
      </div>
      <div class="field">
        <label for="bulk-to">Reassign to (user:NAME or group:NAME)</label>
        <input type="text" id="bulk-to" name="to" placeholder="e.g. group:payments-leads" maxlength={260} />
      </div>
      <div class="field">
        <label for="bulk-comment">Comment for the new reviewer</label>
        <input type="text" id="bulk-comment" name="comment" maxlength={2000} />
      </div>
      <div class="actions">
        <button type="submit" formaction={`${base}/reassign`}>
          Reassign selected
        </button>
      </div>
    </div>
  );
}

async function queuePage(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  outcome?: DecisionReport | ReassignReport,
): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const filters = filtersOf(c);
  const { candidates, ...stored } = filters;
  const { campaign, counts, items: queue } = await visibleQueue(options.store, signed.principal, id, stored);
  const auditor = seesAll(signed.principal);
  const usage: ReadonlyMap<string, UsageSummary> = options.usageOf
    ? await usageOfItems(options.usageOf, queue)
    : new Map();
  // Candidates come from the audit log, not the store, so this filter runs after usage is known.
  const items = candidates
    ? queue.filter((item) => {
        const summary = usage.get(item.id);
        return summary?.kind === 'summary' && summary.revokeCandidate;
      })
    : queue;
  return await html(
    c,
    <Layout signed={signed} path="/reviews" title={`Review: ${campaign.name}`}>
      {c.req.query('created') ? (
        <div class="notice ok" role="status">
          <p>{`Campaign created: ${counts.total} items, each sent to its reviewer.`}</p>
        </div>
      ) : null}
      <CampaignFacts campaign={campaign} counts={counts} auditor={auditor} />
      {outcome ? <Outcome report={outcome} /> : null}
      <FilterForm id={campaign.id} filters={filters} auditor={auditor} />
      {items.length === 0 ? (
        <Empty>No items match.</Empty>
      ) : (
        <form method="post" action={`/reviews/${campaign.id}/decide`}>
          <Csrf token={signed.csrf} />
          <QueueTable items={items} usage={usage} />
          {campaign.state === 'open' ? <BulkActions id={campaign.id} /> : null}
        </form>
      )}
    </Layout>,
  );
}

function CampaignFacts(props: { campaign: Campaign; counts: CampaignCounts; auditor: boolean }) {
  const { campaign } = props;
  return (
    <section class="card" aria-label="Campaign">
      <p>
        {`${campaign.cluster}, sync ${campaign.syncRunId.slice(0, 8)} (sha256 `}
        <code>{campaign.snapshotHash.slice(0, 16)}</code>
        {`…), ${campaign.state}; deadline `}
        <When at={campaign.deadlineAt} />
        {`, then ${campaign.defaultAction}.`}
      </p>
      <p>
        <Progress counts={props.counts} />
      </p>
      <p>
        {props.auditor ? 'Evidence: ' : 'Evidence of the items you review: '}
        <a href={`/reviews/${campaign.id}/report`}>Printable report</a> ·{' '}
        <a href={`/reviews/${campaign.id}/report.pdf`}>Report (PDF)</a> ·{' '}
        <a href={`/reviews/${campaign.id}/evidence.csv`}>CSV</a> ·{' '}
        <a href={`/reviews/${campaign.id}/evidence.json`}>JSON</a>
      </p>
    </section>
  );
}

async function selected(c: ConsoleContext): Promise<{ items: string[]; fields: Record<string, string> }> {
  const body = await c.req.parseBody({ all: true });
  const list = body.item === undefined ? [] : Array.isArray(body.item) ? body.item : [body.item];
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return { items: list.filter((value): value is string => typeof value === 'string').slice(0, 1000), fields };
}

/** `/reviews/ID`: the queue, bulk decisions and reassignment, through the same capability calls as the API. */
export function mountReviewPage(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/reviews/:id',
    page(options, (c, signed) => queuePage(c, options, signed)),
  );
  app.post(
    '/reviews/:id/decide',
    page(options, async (c, signed) => {
      const { items, fields } = await selected(c);
      const dryRun = fields.decision === 'dry-run';
      const report = await decide(
        options.store,
        {
          campaignId: c.req.param('id') ?? '',
          itemIds: items,
          decision: fields.decision === 'keep' ? 'keep' : 'revoke',
          ...(fields.reason ? { reason: fields.reason } : {}),
          ...(dryRun ? { dryRun: true } : {}),
        },
        {
          principal: signed.principal,
          clusters: {
            clientFor: options.clientFor,
            ...(options.accessEntriesFor ? { accessEntriesFor: options.accessEntriesFor } : {}),
          },
        },
      );
      return await queuePage(c, options, signed, report);
    }),
  );
  app.post(
    '/reviews/:id/reassign',
    page(options, async (c, signed) => {
      const { items, fields } = await selected(c);
      const report = await reassign(
        options.store,
        {
          campaignId: c.req.param('id') ?? '',
          itemIds: items,
          to: parseReviewer(fields.to ?? ''),
          comment: fields.comment ?? '',
          kind: 'reassign',
        },
        { principal: signed.principal },
      );
      return await queuePage(c, options, signed, report);
    }),
  );
}
