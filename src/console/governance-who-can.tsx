import type { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { requireRole } from '../identity/index.js';
import { listSyncedClusters, scopedSource } from '../inventory/index.js';
import { describeRule, type GrantPath } from '../rbac/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { chooseSync, clip, SourceNotice, type SyncChoice, syncQuery } from './governance-source.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import {
  type MappedPrincipal,
  scopeOf,
  type WhoCanForm,
  type WhoCanRow,
  whoCanRows,
} from './who-can-rows.js';

/** Where a subject's own page is: `/governance/subjects/user/alice`, `…/sa/payments/api`. */
export function subjectHref(subject: GrantPath['subject'] | 'iam', choice: SyncChoice, arn = ''): string {
  if (subject === 'iam') return `/governance/subjects/iam/${encodeURIComponent(arn)}?${syncQuery(choice)}`;
  const kind = subject.kind === 'ServiceAccount' ? 'sa' : subject.kind.toLowerCase();
  const name =
    subject.kind === 'ServiceAccount'
      ? `${encodeURIComponent(subject.namespace ?? '')}/${encodeURIComponent(subject.name)}`
      : encodeURIComponent(subject.name);
  return `/governance/subjects/${kind}/${name}?${syncQuery(choice)}`;
}

/**
 * The page of a subject as findings and diffs name it (`User alice`, `ServiceAccount ns/name`,
 * `Group:devs`, `ServiceAccount:ns:name`, an IAM ARN); undefined for anything else.
 */
export function subjectLinkOf(text: string, choice: SyncChoice): string | undefined {
  if (text.startsWith('arn:')) return subjectHref('iam', choice, text);
  const match = /^(User|Group|ServiceAccount)[ :](.+)$/.exec(text);
  if (!match) return undefined;
  const [, kind, rest] = match as unknown as [string, 'User' | 'Group' | 'ServiceAccount', string];
  if (kind !== 'ServiceAccount') return subjectHref({ kind, name: rest }, choice);
  const separator = text.charAt('ServiceAccount'.length) === ' ' ? '/' : ':';
  const at = rest.indexOf(separator);
  if (at === -1) return undefined;
  return subjectHref({ kind, namespace: rest.slice(0, at), name: rest.slice(at + 1) }, choice);
}

function subjectName(subject: GrantPath['subject']): string {
  return subject.namespace ? `${subject.namespace}/${subject.name}` : subject.name;
}

/** binding → role → rule, each named as Kubernetes names it. */
export function GrantPathView(props: { grant: GrantPath; policy?: string | undefined }) {
  const { grant, policy } = props;
  if (grant.via === 'superuser') return <span>member of system:masters: superuser, no binding needed</span>;
  if (policy) return <span>{`EKS access entry → access policy ${clip(policy)}`}</span>;
  const place = (ns: string | undefined) => (ns ? `${clip(ns, 63)}/` : '');
  return (
    <span class="grant-path">
      <code>{`${grant.binding?.kind} ${place(grant.binding?.namespace)}${clip(grant.binding?.name ?? '')}`}</code>
      {' → '}
      <code>{`${grant.role?.kind} ${place(grant.role?.namespace)}${clip(grant.role?.name ?? '')}`}</code>
      {' → '}
      <code>{clip(grant.rule ? describeRule(grant.rule) : '', 200)}</code>
    </span>
  );
}

/** Each principal links to its own page and says where its mapping is. */
export function PrincipalList(props: { principals: readonly MappedPrincipal[]; choice: SyncChoice }) {
  if (props.principals.length === 0) return null;
  return (
    <ul class="plain">
      {props.principals.map((principal) => (
        <li>
          <a href={subjectHref('iam', props.choice, principal.arn)}>{clip(principal.arn)}</a>{' '}
          <span class="muted">{`(${principal.source})`}</span>
        </li>
      ))}
    </ul>
  );
}

/** Past this many rows an answer is cut: a page of 20,000 rows helps nobody and takes seconds to draw. */
const rowsShown = 500;

function Answer(props: { rows: readonly WhoCanRow[]; choice: SyncChoice }) {
  if (props.rows.length === 0) return <Empty>Nobody can.</Empty>;
  const shown = props.rows.slice(0, rowsShown);
  return (
    <>
      <p>
        {props.rows.length > rowsShown
          ? `${props.rows.length} grants; the first ${rowsShown} are shown. Name a namespace or a resource name to narrow the question, or use gatehouse rbac who-can -o json for all.`
          : `${props.rows.length} ${props.rows.length === 1 ? 'grant' : 'grants'}.`}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Where</th>
              <th scope="col">Granted by</th>
              <th scope="col">IAM principals</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr>
                <td class="wrap">
                  {`${row.policy ? 'IAM' : row.grant.subject.kind} `}
                  <a
                    href={subjectHref(
                      row.policy ? 'iam' : row.grant.subject,
                      props.choice,
                      row.grant.subject.name,
                    )}
                  >
                    {clip(subjectName(row.grant.subject))}
                  </a>
                </td>
                <td class="nowrap">{row.grant.namespace ? clip(row.grant.namespace, 63) : 'cluster-wide'}</td>
                <td class="wrap">
                  <GrantPathView grant={row.grant} policy={row.policy} />
                </td>
                <td class="wrap">
                  <PrincipalList principals={row.iamPrincipals} choice={props.choice} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Field(props: { id: string; label: string; value: string | undefined; placeholder?: string }) {
  return (
    <div class="field">
      <label for={`who-${props.id}`}>{props.label}</label>
      <input
        type="text"
        id={`who-${props.id}`}
        name={props.id}
        value={props.value ?? ''}
        placeholder={props.placeholder}
      />
    </div>
  );
}

/** The clusters with stored syncs to pick from; a typed name still works when none is stored yet. */
export function ClusterField(props: { clusters: readonly string[]; value: string | undefined; id?: string }) {
  if (props.clusters.length === 0) return <Field id="cluster" label="Cluster" value={props.value} />;
  const chosen = props.value ?? props.clusters[0];
  const id = props.id ?? 'who-cluster';
  return (
    <div class="field">
      <label for={id}>Cluster</label>
      <select id={id} name="cluster">
        {props.clusters.map((cluster) => (
          <option value={cluster} selected={cluster === chosen}>
            {clip(cluster, 60)}
          </option>
        ))}
      </select>
    </div>
  );
}

function QueryForm(props: {
  form: Partial<WhoCanForm>;
  choice: Partial<SyncChoice>;
  clusters: readonly string[];
}) {
  const { form, choice } = props;
  return (
    <form method="get" action="/governance/who-can" class="inline-form" aria-label="Who can">
      <Field id="verb" label="Verb" value={form.verb} placeholder="e.g. get" />
      <Field id="resource" label="Resource or /URL" value={form.resource} placeholder="e.g. pods" />
      <Field id="subresource" label="Subresource" value={form.subresource} placeholder="e.g. exec" />
      <Field id="namespace" label="Namespace (blank: all)" value={form.namespace} />
      <Field id="name" label="Name" value={form.name} />
      <ClusterField clusters={props.clusters} value={choice.cluster} />
      <Field id="run" label="Sync run (blank: latest)" value={choice.run} />
      <button type="submit">Ask</button>
    </form>
  );
}

const field = (c: ConsoleContext, name: string) => c.req.query(name)?.trim().slice(0, 253) || undefined;

async function whoCanPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const verb = field(c, 'verb');
  const resource = field(c, 'resource');
  const form: Partial<WhoCanForm> = {
    verb,
    resource,
    subresource: field(c, 'subresource'),
    namespace: field(c, 'namespace'),
    name: field(c, 'name'),
  };
  const asked = { cluster: field(c, 'cluster'), run: field(c, 'run') };
  const clusters = await listSyncedClusters(options.store);
  const layout = (children: Child) => (
    <Layout signed={signed} path="/governance/who-can" title="Who can">
      {children}
    </Layout>
  );
  if (!verb || !resource)
    return await html(
      c,
      layout(
        <>
          <p class="lead">
            Every subject that may do something, with the binding → role → rule that grants it.
          </p>
          <QueryForm form={form} choice={asked} clusters={clusters} />
        </>,
      ),
    );
  const choice = await chooseSync(c, options.store);
  const source = await scopedSource(options.store, {
    cluster: choice.cluster,
    run: choice.run,
    scope: scopeOf({ ...form, verb, resource }),
  });
  const answer = whoCanRows(source, { ...form, verb, resource });
  return await html(
    c,
    layout(
      <>
        <QueryForm form={form} choice={choice} clusters={clusters} />
        <SourceNotice source={source} />
        {answer.hint ? <p class="hint">{answer.hint}</p> : null}
        <Answer rows={answer.rows} choice={choice} />
      </>,
    ),
  );
}

export function mountWhoCan(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance/who-can',
    page(options, (c, signed) => whoCanPage(c, options, signed)),
  );
}
