import type { Hono } from 'hono';
import {
  type AccessFlow,
  type AccessRequest,
  accessDetails,
  decide,
  extend,
  type GrantPreview,
  getVisibleRequest,
  grantPreview,
  issueCredential,
  listFlows,
  parseDuration,
  requestHistory,
  revoke,
} from '../access/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { AccessDetailsSection } from './access-details-section.js';
import { Csrf, Empty, formatSeconds, StateBadge, Target, TimeLeft, When } from './components.js';
import { DecisionForm } from './decision-form.js';
import { GrantPreviewView } from './grant-preview-section.js';
import { type ConsoleContext, formFields, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { durationChoices } from './request-fields.js';
import { History } from './request-history.js';
import { type RequestRights, rightsOn, versionOf } from './request-rights.js';

function approverNames(flow: AccessFlow): string {
  const { users, groups } = flow.approvers;
  return (
    [...users.map((user) => `user ${user}`), ...groups.map((group) => `group ${group}`)].join(', ') || '–'
  );
}

function Facts(props: { request: AccessRequest; flow: AccessFlow | undefined; now: Date }) {
  const { request } = props;
  return (
    <dl class="facts">
      <dt>State</dt>
      <dd>
        <StateBadge state={request.state} />
        {request.state === 'active' && request.expiresAt ? (
          <>
            {' '}
            <TimeLeft expiresAt={request.expiresAt} now={props.now} />
          </>
        ) : null}
      </dd>
      <dt>Requester</dt>
      <dd>{request.requester}</dd>
      <dt>Flow</dt>
      <dd>{`${request.flow} (mode ${request.mode})`}</dd>
      <dt>Duration</dt>
      <dd>{formatSeconds(request.durationSeconds)}</dd>
      <dt>Reason</dt>
      <dd>{request.reason || '–'}</dd>
      <dt>Requested</dt>
      <dd>
        <When at={request.createdAt} />
      </dd>
      {request.activatedAt ? (
        <>
          <dt>Active since</dt>
          <dd>
            <When at={request.activatedAt} />
          </dd>
        </>
      ) : null}
      {request.expiresAt ? (
        <>
          <dt>{request.state === 'active' ? 'Expires' : 'Was to expire'}</dt>
          <dd>
            <When at={request.expiresAt} />
          </dd>
        </>
      ) : null}
      <dt>Approvals</dt>
      <dd>
        {`${request.approvals.length} of ${props.flow?.approvers.required ?? '?'}`}
        {request.approvals.length > 0 ? ` (${request.approvals.join(', ')})` : ''}
        {props.flow && request.state === 'pending' ? `; approvers: ${approverNames(props.flow)}` : ''}
      </dd>
      {request.breakGlass ? (
        <>
          <dt>Break glass</dt>
          <dd>yes: activated without approval</dd>
        </>
      ) : null}
      {request.lastError ? (
        <>
          <dt>Last problem</dt>
          <dd>{request.lastError}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Actions(props: {
  request: AccessRequest;
  flow: AccessFlow | undefined;
  rights: RequestRights;
  csrf: string;
}) {
  const { request, rights } = props;
  const base = `/access/requests/${request.id}`;
  if (!rights.decide && !rights.revoke && !rights.extend)
    return <Empty>Nothing for you to do on this request.</Empty>;
  return (
    <div class="actions">
      {rights.decide ? (
        <DecisionForm requestId={request.id} requester={request.requester} csrf={props.csrf} />
      ) : null}
      {rights.extend && props.flow ? (
        <form method="post" action={`${base}/extend`}>
          <Csrf token={props.csrf} />
          <div class="field">
            <label for="extend-by">Extend by</label>
            <select id="extend-by" name="duration">
              {durationChoices(props.flow).map((choice) => (
                <option value={choice.value}>{formatSeconds(choice.seconds)}</option>
              ))}
            </select>
          </div>
          <button type="submit" class="secondary">
            Extend
          </button>
        </form>
      ) : null}
      {rights.revoke ? (
        <form method="post" action={`${base}/revoke`} data-confirm="End this access now?">
          <Csrf token={props.csrf} />
          <button type="submit" class="danger">
            {request.state === 'pending' ? 'Cancel request' : 'Revoke access'}
          </button>
        </form>
      ) : null}
    </div>
  );
}

const doneMessages: Record<string, string> = {
  approve: 'Your approval is recorded.',
  deny: 'The request is denied.',
  revoke: 'The access is ended; Gatehouse removes it from the cluster now.',
  extend: 'The access is extended.',
};

/** What approving would add: read while the request waits, once the viewer is known to see it. */
async function previewOf(options: ConsoleOptions, request: AccessRequest) {
  if (request.state !== 'pending') return undefined;
  return await grantPreview({
    request,
    store: options.store,
    client: () => options.clientFor(request.cluster),
  });
}

async function requestPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const { request, history } = await requestHistory(options.store, signed.principal, c.req.param('id') ?? '');
  const flow = (await listFlows(options.store)).find((candidate) => candidate.name === request.flow);
  const rights = rightsOn(signed.principal, request, flow);
  const preview: GrantPreview | undefined = await previewOf(options, request);
  const done = doneMessages[c.req.query('done') ?? ''];
  const base = `/access/requests/${request.id}`;
  return await html(
    c,
    <Layout signed={signed} path={base} title="Access request">
      <div data-events={`${base}/events`} data-version={versionOf(request)}>
        {done ? (
          <div class="notice ok" role="status">
            <p>{done}</p>
          </div>
        ) : null}
        <section class="card" aria-labelledby="request-facts">
          <h2 id="request-facts">
            <Target request={request} />
          </h2>
          <Facts request={request} flow={flow} now={new Date()} />
        </section>
        {preview ? (
          <section class="card" aria-labelledby="request-preview">
            <h2 id="request-preview">What approving would grant</h2>
            <GrantPreviewView preview={preview} open={true} />
          </section>
        ) : null}
        {/* Written to the requester ("your credentials"): only they see how to use it. */}
        {signed.principal.subject === request.requester ? (
          <section class="card" aria-labelledby="request-use">
            <h2 id="request-use">Access details</h2>
            <AccessDetailsSection
              details={accessDetails(request)}
              download={rights.credential ? `${base}/credential` : undefined}
              csrf={signed.csrf}
            />
          </section>
        ) : null}
        <section class="card" aria-labelledby="request-actions">
          <h2 id="request-actions">Actions</h2>
          <Actions request={request} flow={flow} rights={rights} csrf={signed.csrf} />
        </section>
        <h2>History</h2>
        <History items={history} />
      </div>
    </Layout>,
  );
}

type Action = (
  options: ConsoleOptions,
  signed: Signed,
  request: AccessRequest,
  c: ConsoleContext,
) => Promise<unknown>;

const actions: Record<'approve' | 'deny' | 'revoke' | 'extend', Action> = {
  approve: async (options, signed, request, c) =>
    decide(options.store, request.id, signed.principal, 'approve', { reason: (await formFields(c)).reason }),
  deny: async (options, signed, request, c) =>
    decide(options.store, request.id, signed.principal, 'deny', { reason: (await formFields(c)).reason }),
  revoke: (options, signed, request) => revoke(options.store, request.id, signed.principal),
  extend: async (options, signed, request, c) => {
    const seconds = parseDuration((await formFields(c)).duration ?? '', 'duration');
    return await extend(options.store, request.id, signed.principal, seconds);
  },
};

/** `/access/requests/ID`: one request, its history, and what the viewer may do about it. */
export function mountRequestPage(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/access/requests/:id',
    page(options, (c, signed) => requestPage(c, options, signed)),
  );
  for (const [verb, act] of Object.entries(actions))
    app.post(
      `/access/requests/:id/${verb}`,
      page(options, async (c, signed) => {
        // As in the API: a request the principal may not see reads as absent, whatever the action.
        const request = await getVisibleRequest(options.store, signed.principal, c.req.param('id') ?? '');
        await act(options, signed, request, c);
        options.onChange?.(request.id);
        return c.redirect(`/access/requests/${request.id}?done=${verb}`, 303);
      }),
    );
  app.post(
    '/access/requests/:id/credential',
    page(options, async (c, signed) => {
      const request = await getVisibleRequest(options.store, signed.principal, c.req.param('id') ?? '');
      const issued = await issueCredential(
        options.store,
        () => options.clientFor(request.cluster),
        request.id,
        signed.principal,
      );
      c.header('cache-control', 'no-store');
      c.header('content-type', 'application/yaml; charset=utf-8');
      c.header(
        'content-disposition',
        `attachment; filename="gatehouse-${request.id.slice(0, 8)}.kubeconfig"`,
      );
      return c.body(issued.kubeconfig);
    }),
  );
}
