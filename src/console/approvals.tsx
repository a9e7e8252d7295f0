import type { Hono } from 'hono';
import {
  type AccessRequest,
  type GrantPreview,
  grantPreview,
  listFlows,
  listVisibleRequests,
} from '../access/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty, formatSeconds, Target, When } from './components.js';
import { DecisionForm } from './decision-form.js';
import { GrantPreviewView } from './grant-preview-section.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { rightsOn } from './request-rights.js';
import { RequestTable } from './requests.js';

function Decision(props: { request: AccessRequest; preview: GrantPreview; csrf: string }) {
  const { request } = props;
  const base = `/access/requests/${request.id}`;
  const heading = `decide-${request.id}`;
  return (
    <section class="card" aria-labelledby={heading}>
      <h2 id={heading}>
        <a href={base}>
          {`${request.requester} asks for `}
          <Target request={request} />
        </a>
      </h2>
      <dl class="facts">
        <dt>Reason</dt>
        <dd>{request.reason || '–'}</dd>
        <dt>Duration</dt>
        <dd>{formatSeconds(request.durationSeconds)}</dd>
        <dt>Requested</dt>
        <dd>
          <When at={request.createdAt} />
        </dd>
        <dt>Flow</dt>
        <dd>{`${request.flow} (mode ${request.mode})`}</dd>
      </dl>
      <h3>What approving would grant</h3>
      <GrantPreviewView preview={props.preview} />
      <DecisionForm requestId={request.id} requester={request.requester} csrf={props.csrf} />
    </section>
  );
}

/** Each request waiting for this principal, with the permissions its grant would add (read in parallel). */
async function Decisions(props: {
  options: ConsoleOptions;
  requests: readonly AccessRequest[];
  csrf: string;
}) {
  if (props.requests.length === 0) return <Empty>Nothing is waiting for your decision.</Empty>;
  const { options } = props;
  const previews = await Promise.all(
    props.requests.map((request) =>
      grantPreview({ request, store: options.store, client: () => options.clientFor(request.cluster) }),
    ),
  );
  return (
    <>
      {props.requests.map((request, index) => (
        <Decision request={request} preview={previews[index]!} csrf={props.csrf} />
      ))}
    </>
  );
}

/** The pending requests this principal may decide, and the others pending they can see. */
export async function waitingFor(options: ConsoleOptions, signed: Signed) {
  const flows = new Map((await listFlows(options.store)).map((flow) => [flow.name, flow]));
  const pending = await listVisibleRequests(options.store, signed.principal, 'pending');
  const mine = pending.filter(
    (request) => rightsOn(signed.principal, request, flows.get(request.flow)).decide,
  );
  const others = pending.filter((request) => !mine.includes(request));
  return { mine, others };
}

async function approvalsPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const { mine, others } = await waitingFor(options, signed);
  return await html(
    c,
    <Layout signed={signed} path="/access/approvals" title="Approvals">
      <p class="lead">Requests waiting for your decision. Open one to see everything about it first.</p>
      <Decisions options={options} requests={mine} csrf={signed.csrf} />
      {others.length > 0 ? (
        <>
          <h2>Other pending requests you can see</h2>
          <p class="lead">
            You cannot decide these: they are your own, you already decided, or you are not an approver of
            their flow.
          </p>
          <RequestTable requests={others} now={new Date()} who={true} />
        </>
      ) : null}
    </Layout>,
  );
}

/** `/access/approvals`: the queue of requests waiting for this principal. */
export function mountApprovals(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/access/approvals',
    page(options, (c, signed) => approvalsPage(c, options, signed)),
  );
}
