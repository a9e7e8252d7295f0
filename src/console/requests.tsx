import type { Hono } from 'hono';
import {
  type AccessRequest,
  checkRequestCluster,
  createRequest,
  getFlow,
  listVisibleRequests,
  namespaceLabelsFor,
  parseDuration,
  parseRoleReference,
  requestOptions,
} from '../access/index.js';
import { isAppError } from '../errors.js';
import type { ConsoleEnv } from '../server/env.js';
import { httpStatusFor } from '../server/errors.js';
import { onCluster } from '../server/routes/access.js';
import { Empty, StateBadge, Target, TimeLeft, When } from './components.js';
import { type ConsoleContext, formFields, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import { type FieldErrors, missingFields, placeError, type RequestFormValues } from './request-fields.js';
import { FlowChoice, RequestForm } from './request-form.js';

/** The requests a person made, newest first, with their state and time left. */
export function RequestTable(props: { requests: readonly AccessRequest[]; now: Date; who?: boolean }) {
  if (props.requests.length === 0) return <Empty>No requests yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Access</th>
            {props.who ? <th scope="col">Requester</th> : null}
            <th scope="col">Flow</th>
            <th scope="col">State</th>
            <th scope="col">Requested</th>
            <th scope="col">Time left</th>
          </tr>
        </thead>
        <tbody>
          {props.requests.map((request) => (
            <tr>
              <td class="wrap">
                <a href={`/access/requests/${request.id}`}>
                  <Target request={request} />
                </a>
              </td>
              {props.who ? <td>{request.requester}</td> : null}
              <td>{request.flow}</td>
              <td>
                <StateBadge state={request.state} />
              </td>
              <td>
                <When at={request.createdAt} />
              </td>
              <td>
                {request.state === 'active' && request.expiresAt ? (
                  <TimeLeft expiresAt={request.expiresAt} now={props.now} />
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface FormState {
  readonly values: RequestFormValues;
  readonly errors: FieldErrors;
}

async function requestsPage(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  form: FormState,
  status = 200,
): Promise<Response> {
  const { principal } = signed;
  // What this principal may ask for, as the access capability shapes it for a form.
  const { flows, problems } = await requestOptions(options.store, principal);
  const chosen =
    flows.find((option) => option.flow === form.values.flow) ?? (flows.length === 1 ? flows[0] : undefined);
  const mine = (await listVisibleRequests(options.store, principal)).filter(
    (request) => request.requester === principal.subject,
  );
  const known = options.listClusters
    ? (await options.listClusters()).clusters.map((cluster) => cluster.name)
    : [];
  const now = new Date();
  return await html(
    c,
    <Layout signed={signed} path="/access/requests" title="Access requests">
      <section class="card" aria-labelledby="new-request">
        <h2 id="new-request">Request access</h2>
        {problems.map((problem) => (
          <div class="notice error" role="alert">
            <p>{`Flow ${problem.flow} names you but cannot serve you: ${problem.message}`}</p>
          </div>
        ))}
        {flows.length === 0 ? (
          <Empty>
            No access flow lets you request access yet; ask a Gatehouse administrator to add you to one.
          </Empty>
        ) : (
          <>
            {flows.length > 1 ? <FlowChoice flows={flows} chosen={chosen?.flow} /> : null}
            {chosen ? (
              <RequestForm
                option={chosen}
                values={form.values}
                errors={form.errors}
                csrf={signed.csrf}
                knownClusters={known}
              />
            ) : null}
          </>
        )}
      </section>
      <h2>My requests</h2>
      <RequestTable requests={mine} now={now} />
    </Layout>,
    status,
  );
}

/** Creates a request from the form through the same capability calls as the API's POST /v1/requests. */
async function submit(
  options: ConsoleOptions,
  signed: Signed,
  values: RequestFormValues,
): Promise<AccessRequest> {
  const { principal } = signed;
  const cluster = values.cluster ?? '';
  const guarded = onCluster(options, principal, cluster);
  return await createRequest(options.store, principal, {
    flow: await getFlow(options.store, values.flow ?? ''),
    cluster,
    namespace: values.namespace,
    role: parseRoleReference(values.role ?? ''),
    durationSeconds: parseDuration(values.duration ?? '', 'duration'),
    reason: values.reason ?? '',
    breakGlass: values.breakGlass === 'yes',
    namespaceLabels: (namespace) =>
      guarded(() => namespaceLabelsFor(() => options.clientFor(cluster))(namespace)),
    checkCluster: (mode) => guarded(() => checkRequestCluster(options, cluster, mode)),
  });
}

/** `/access/requests`: my requests, and the form to ask for more. */
export function mountRequests(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/access/requests',
    page(options, async (c, signed) =>
      requestsPage(c, options, signed, { values: { flow: c.req.query('flow') }, errors: {} }),
    ),
  );
  app.post(
    '/access/requests',
    page(options, async (c, signed) => {
      const fields = await formFields(c);
      const values: RequestFormValues = {
        flow: fields.flow,
        cluster: fields.cluster?.trim(),
        namespace: fields.namespace?.trim(),
        role: fields.role,
        duration: fields.duration,
        reason: fields.reason,
        breakGlass: fields.breakGlass,
      };
      const missing = missingFields(values);
      if (Object.keys(missing).length > 0)
        return await requestsPage(c, options, signed, { values, errors: missing }, 400);
      try {
        const request = await submit(options, signed, values);
        options.onChange?.(request.id);
        return c.redirect(`/access/requests/${request.id}`, 303);
      } catch (error) {
        const errors = placeError(error);
        const status = isAppError(error) ? httpStatusFor(error.code) : 400;
        return await requestsPage(c, options, signed, { values, errors }, status);
      }
    }),
  );
}
