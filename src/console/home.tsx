import type { Hono } from 'hono';
import { type AccessRequest, listVisibleRequests } from '../access/index.js';
import { type AuditEvent, listAudit } from '../audit/index.js';
import { hasRole, type Principal } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import type { Store } from '../store/index.js';
import { waitingFor } from './approvals.js';
import { Empty, StateBadge, Target, TimeLeft, When } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** How far back recent activity looks for entries about requests a non-auditor can see. */
const activityWindow = 500;

/**
 * The newest audit entries this principal may read: everything for auditors; for anyone else,
 * only entries about requests they can see (theirs, or those of flows they approve).
 */
export async function recentActivity(
  store: Store,
  principal: Principal,
  visible: readonly AccessRequest[],
  count = 10,
): Promise<AuditEvent[]> {
  if (hasRole(principal, 'auditor')) return await listAudit(store, { newestFirst: true, limit: count });
  const ids = new Set(visible.map((request) => request.id));
  const recent = await listAudit(store, { newestFirst: true, limit: activityWindow });
  return recent
    .filter((entry) => typeof entry.details.id === 'string' && ids.has(entry.details.id))
    .slice(0, count);
}

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

function Activity(props: { entries: readonly AuditEvent[] }) {
  if (props.entries.length === 0) return <Empty>No recent activity you can see.</Empty>;
  return (
    <ul>
      {props.entries.map((entry) => (
        <li>
          <When at={entry.at} /> <strong>{entry.actor}</strong> <code>{entry.action}</code> {entry.target}
          {entry.outcome === 'succeeded' ? '' : ` (${entry.outcome})`}
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
        <Activity entries={await recentActivity(options.store, principal, visible)} />
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
