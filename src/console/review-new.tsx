import type { Hono } from 'hono';
import { appendAudit } from '../audit/index.js';
import { hasRole, requireRole } from '../identity/index.js';
import { listSyncedClusters, listSyncRuns } from '../inventory/index.js';
import { type CampaignPreview, createCampaign, latestUsableRun, previewCampaign } from '../reviews/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import {
  type CampaignFieldErrors,
  type CampaignFormValues,
  campaignFormDefaults,
  campaignFormValues,
  campaignInput,
  placeCampaignError,
} from './review-new-fields.js';
import { CampaignForm, type ClusterChoice } from './review-new-form.js';

/** Only admins open campaigns; anyone else is refused, and the refusal is recorded (`review.create`, denied). */
async function refuseUnlessAdmin(options: ConsoleOptions, signed: Signed): Promise<void> {
  if (hasRole(signed.principal, 'admin')) return;
  await appendAudit(options.store, {
    actor: signed.principal.subject,
    action: 'review.create',
    target: 'review/new',
    outcome: 'denied',
    details: { reason: 'needs the admin role to create access reviews' },
  });
  requireRole(signed.principal, 'admin', 'create access reviews');
}

/** Synced clusters with their recent runs; at most 20 clusters, 10 runs each, so the page stays light. */
async function clusterChoices(options: ConsoleOptions): Promise<ClusterChoice[]> {
  const choices: ClusterChoice[] = [];
  for (const name of (await listSyncedClusters(options.store)).slice(0, 20)) {
    const latest = await latestUsableRun(options.store, name);
    choices.push({ name, runs: await listSyncRuns(options.store, name, 10), ...(latest ? { latest } : {}) });
  }
  return choices;
}

function PreviewNotice(props: { preview: CampaignPreview }) {
  const { preview } = props;
  return (
    <div class="notice ok" role="status">
      <p>
        {`This scope gives ${preview.items} item${preview.items === 1 ? '' : 's'} for ${preview.subjects} subject${preview.subjects === 1 ? '' : 's'} in sync ${preview.run.id.slice(0, 8)} of ${preview.run.cluster} (snapshot sha256 `}
        <code>{preview.snapshotHash.slice(0, 16)}</code>
        {'…). Nothing was created yet.'}
      </p>
    </div>
  );
}

async function formPage(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  state: {
    values: CampaignFormValues;
    errors: CampaignFieldErrors;
    preview?: CampaignPreview;
    status?: number;
  },
): Promise<Response> {
  const clusters = await clusterChoices(options);
  return await html(
    c,
    <Layout signed={signed} path="/reviews" title="New access review">
      <p class="lead">
        A campaign freezes one sync of a cluster and asks reviewers to keep or revoke each grant in scope. The
        same as <code>gatehouse reviews create</code>.
      </p>
      {clusters.length === 0 ? (
        <Empty>
          No cluster has been synced yet: sync one from the Governance page, then open a campaign over it.
        </Empty>
      ) : (
        <CampaignForm
          values={state.values}
          errors={state.errors}
          clusters={clusters}
          csrf={signed.csrf}
          preview={state.preview ? <PreviewNotice preview={state.preview} /> : undefined}
        />
      )}
    </Layout>,
    state.status ?? 200,
  );
}

/** Preview or create: bad input comes back as the form with the values kept and each error beside its field. */
async function submit(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  await refuseUnlessAdmin(options, signed);
  const body = await c.req.parseBody({ all: true });
  const values = campaignFormValues(body);
  const { input, errors } = campaignInput(values, new Date());
  if (!input) return await formPage(c, options, signed, { values, errors, status: 400 });
  try {
    if (body.intent === 'preview') {
      const preview = await previewCampaign(options.store, input);
      return await formPage(c, options, signed, { values, errors: {}, preview });
    }
    const { campaign } = await createCampaign(options.store, input, { principal: signed.principal });
    return c.redirect(`/reviews/${campaign.id}?created=1`, 303);
  } catch (error) {
    return await formPage(c, options, signed, { values, errors: placeCampaignError(error), status: 400 });
  }
}

/** `/reviews/new`: the campaign form for admins, through the same `createCampaign` as the CLI and the API. */
export function mountNewCampaign(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/reviews/new',
    page(options, async (c, signed) => {
      await refuseUnlessAdmin(options, signed);
      return await formPage(c, options, signed, { values: campaignFormDefaults, errors: {} });
    }),
  );
  app.post(
    '/reviews/new',
    page(options, (c, signed) => submit(c, options, signed)),
  );
}
