import type { Hono } from 'hono';
import { type AccessRequest, listFlows, listVisibleRequests } from '../access/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Csrf, Empty, formatSeconds, Target, When } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { rightsOn } from './request-rights.js';
import { RequestTable } from './requests.js';

function DecisionRow(props: { request: AccessRequest; csrf: string }) {
  const { request } = props;
  const base = `/access/requests/${request.id}`;
  return (
    <tr>
      <td class="wrap">
        <a href={base}>
          <Target request={request} />
        </a>
      </td>
      <td>{request.requester}</td>
      <td class="wrap">{request.reason || '–'}</td>
      <td>{formatSeconds(request.durationSeconds)}</td>
      <td>
        <When at={request.createdAt} />
      </td>
      <td>
        <div class="actions">
          <form method="post" action={`${base}/approve`}>
            <Csrf token={props.csrf} />
            <button type="submit" aria-label={`Approve the request of ${request.requester}`}>
              Approve
            </button>
          </form>
          <form method="post" action={`${base}/deny`}>
            <Csrf token={props.csrf} />
            <button type="submit" class="danger" aria-label={`Deny the request of ${request.requester}`}>
              Deny
            </button>
          </form>
        </div>
      </td>
    </tr>
  );
}

function DecisionTable(props: { requests: readonly AccessRequest[]; csrf: string }) {
  if (props.requests.length === 0) return <Empty>Nothing is waiting for your decision.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Access</th>
            <th scope="col">Requester</th>
            <th scope="col">Reason</th>
            <th scope="col">Duration</th>
            <th scope="col">Requested</th>
            <th scope="col">Decision</th>
          </tr>
        </thead>
        <tbody>
          {props.requests.map((request) => (
            <DecisionRow request={request} csrf={props.csrf} />
          ))}
        </tbody>
      </table>
    </div>
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
      <DecisionTable requests={mine} csrf={signed.csrf} />
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
