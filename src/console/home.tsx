import type { Hono } from 'hono';
import {
  type AccessRequest,
  type ActivityItem,
  listVisibleRequests,
  recentActivity,
} from '../access/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { waitingFor } from './approvals.js';
import { Empty, StateBadge, Target, TimeLeft, When } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

function Waiting(props: { requests: readonly AccessRequest[] }) {
  if (props.requests.length === 0) return <Empty>No approvals are waiting for you.</Empty>;
  return (
    <ul>
      {props.requests.map((request) => (
        <li>
          <a href={`/access/requests/${request.id}`}>
            {`${request.requester} asks for `}
            <Target request={request} />
          </a>
        </li>
      ))}
    </ul>
  );
}

function MyAccess(props: { requests: readonly AccessRequest[]; now: Date }) {
  if (props.requests.length === 0) return <Empty>You hold no access through Gatehouse right now.</Empty>;
  return (
    <ul>
      {props.requests.map((request) => (
        <li>
          <a href={`/access/requests/${request.id}`}>
            <Target request={request} />
          </a>{' '}
          <StateBadge state={request.state} />{' '}
          {request.state === 'active' && request.expiresAt ? (
            <TimeLeft expiresAt={request.expiresAt} now={props.now} />
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Activity(props: { items: readonly ActivityItem[] }) {
  if (props.items.length === 0) return <Empty>No recent activity you can see.</Empty>;
  return (
    <ul>
      {props.items.map((item) => (
        <li>
          <When at={item.at} />{' '}
          {item.requestId ? <a href={`/access/requests/${item.requestId}`}>{item.summary}</a> : item.summary}
          {item.outcome === 'succeeded' ? '' : ` (${item.outcome})`}
        </li>
      ))}
    </ul>
  );
}

async function homePage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const { principal } = signed;
  const visible = await listVisibleRequests(options.store, principal);
  const mine = visible.filter(
    (request) =>
      request.requester === principal.subject && ['active', 'approved', 'pending'].includes(request.state),
  );
  const { mine: waiting } = await waitingFor(options, signed);
  return await html(
    c,
    <Layout signed={signed} path="/" title="Home">
      <section class="card" aria-labelledby="waiting">
        <h2 id="waiting">{`Waiting for your decision (${waiting.length})`}</h2>
        <Waiting requests={waiting} />
      </section>
      <section class="card" aria-labelledby="my-access">
        <h2 id="my-access">Your access</h2>
        <MyAccess requests={mine} now={new Date()} />
        <p>
          <a href="/access/requests">Request access</a>
        </p>
      </section>
      <section class="card" aria-labelledby="activity">
        <h2 id="activity">Recent activity</h2>
        <Activity items={await recentActivity(options.store, principal, { limit: 10 })} />
      </section>
    </Layout>,
  );
}

/** `/`: what needs me, what I hold, and what happened lately. */
export function mountHome(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/',
    page(options, (c, signed) => homePage(c, options, signed)),
  );
}
