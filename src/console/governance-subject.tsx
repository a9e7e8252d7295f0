import type { Hono } from 'hono';
import { AppError } from '../errors.js';
import { requireRole } from '../identity/index.js';
import {
  type PodsOfServiceAccount,
  podsRunningAs,
  type ScopedSource,
  scopedSource,
} from '../inventory/index.js';
import {
  accessPolicyPermissions,
  describeRule,
  type EffectivePermissions,
  effectivePermissions,
  identityOf,
  type MappedIdentity,
  type PermissionEntry,
  parseSubjectRef,
  principalsMappedTo,
  resolveIamPrincipal,
  type SubjectRef,
} from '../rbac/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Empty } from './components.js';
import { AccessPicture, pictureModel } from './governance-picture.js';
import { chooseSync, clip, SourceNotice, type SyncChoice } from './governance-source.js';
import { PrincipalList } from './governance-who-can.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';
import type { MappedPrincipal } from './who-can-rows.js';

/** What the subject page shows: the engine's permissions, and how an IAM principal maps in. */
export interface SubjectAnswer {
  readonly permissions: EffectivePermissions;
  readonly mapping?: MappedIdentity;
  /** IAM principals aws-auth or access entries map onto a user or group. */
  readonly iamPrincipals: readonly MappedPrincipal[];
}

/** What the page needs of a sync: the engine's index over the subject's bindings, and the IAM mappings. */
export type SubjectSource = Pick<ScopedSource, 'index' | 'awsAuth' | 'eks' | 'label'>;

function mappedIdentity(source: SubjectSource, arn: string): MappedIdentity {
  const mapped = resolveIamPrincipal(
    { arn },
    {
      ...(source.awsAuth ? { awsAuth: source.awsAuth } : {}),
      ...(source.eks
        ? { accessEntries: source.eks.accessEntries, authenticationMode: source.eks.authenticationMode }
        : {}),
    },
  );
  if (!mapped)
    throw new AppError(
      'not-found',
      `${clip(arn)} is not mapped to any Kubernetes identity in ${source.label}`,
      {
        fix: 'Map it in kube-system/aws-auth (mapRoles/mapUsers) or with an EKS access entry',
      },
    );
  return mapped;
}

/** The identity the authorizer sees for a subject; an IAM principal's comes from its mapping. */
export function identityFor(source: SubjectSource, subject: SubjectRef): { user: string; groups: string[] } {
  if (subject.kind !== 'iam') return identityOf(subject);
  const mapping = mappedIdentity(source, subject.arn);
  return { user: mapping.username, groups: [...mapping.groups, 'system:authenticated'] };
}

/** The same engine calls as `gatehouse rbac permissions SUBJECT` on a stored sync. */
export function subjectAnswer(source: SubjectSource, subject: SubjectRef): SubjectAnswer {
  if (subject.kind === 'iam') {
    const mapping = mappedIdentity(source, subject.arn);
    const identity = { user: mapping.username, groups: [...mapping.groups, 'system:authenticated'] };
    const rbac = effectivePermissions(source.index, identity);
    const policies = accessPolicyPermissions(subject.arn, mapping.policies);
    return { permissions: { ...rbac, entries: [...rbac.entries, ...policies] }, mapping, iamPrincipals: [] };
  }
  const iamPrincipals =
    subject.kind === 'serviceaccount'
      ? []
      : principalsMappedTo(
          { kind: subject.kind === 'user' ? 'User' : 'Group', name: subject.name },
          source.awsAuth,
          source.eks?.accessEntries,
        );
  return { permissions: effectivePermissions(source.index, identityOf(subject)), iamPrincipals };
}

function byNamespace(entries: readonly PermissionEntry[]): Map<string | undefined, PermissionEntry[]> {
  const groups = new Map<string | undefined, PermissionEntry[]>();
  for (const entry of entries) groups.set(entry.namespace, [...(groups.get(entry.namespace) ?? []), entry]);
  return groups;
}

function NamespaceTable(props: { namespace: string | undefined; entries: readonly PermissionEntry[] }) {
  const title = props.namespace === undefined ? 'Cluster-wide' : `Namespace ${clip(props.namespace, 63)}`;
  return (
    <section class="card" aria-label={title}>
      <h2>{title}</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Path of the grant: binding → role → rule</th>
              <th scope="col">As</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((entry) => (
              <tr>
                <td class="wrap grant-path">
                  <code>{clip(entry.binding)}</code>
                  {' → '}
                  <code>{clip(entry.role)}</code>
                  {' → '}
                  <code>{clip(describeRule(entry.rule), 200)}</code>
                </td>
                <td class="wrap">{clip(entry.through)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function pictureSubject(subject: SubjectRef): { kind: string; name: string } {
  const [kind = '', ...name] = describeSubject(subject).split(' ');
  return subject.kind === 'iam'
    ? { kind: 'IAM principal', name: subject.arn }
    : { kind, name: name.join(' ') };
}

function describeSubject(subject: SubjectRef): string {
  switch (subject.kind) {
    case 'user':
      return `User ${subject.name}`;
    case 'group':
      return `Group ${subject.name}`;
    case 'serviceaccount':
      return `ServiceAccount ${subject.namespace}/${subject.name}`;
    case 'iam':
      return `IAM principal ${subject.arn}`;
    default: {
      const unreachable: never = subject;
      return unreachable;
    }
  }
}

function Mapping(props: { answer: SubjectAnswer; choice: SyncChoice }) {
  const { mapping, iamPrincipals } = props.answer;
  if (mapping)
    return (
      <section class="card" aria-labelledby="mapping-heading">
        <h2 id="mapping-heading">Mapping</h2>
        <dl class="facts">
          <dt>Kubernetes user</dt>
          <dd>
            <code>{clip(mapping.username)}</code>
          </dd>
          <dt>Groups</dt>
          <dd>
            {mapping.groups.length > 0 ? mapping.groups.map((group) => clip(group)).join(', ') : 'none'}
          </dd>
          <dt>From</dt>
          <dd>
            {mapping.source === 'access entry'
              ? 'EKS access entry'
              : `${mapping.source} in kube-system/aws-auth`}
          </dd>
          {mapping.policies.length > 0 ? (
            <>
              <dt>Access policies</dt>
              <dd>
                {mapping.policies.map((policy) => clip(policy.policyArn.split('/').at(-1) ?? '')).join(', ')}
              </dd>
            </>
          ) : null}
          {mapping.unresolved.length > 0 ? (
            <>
              <dt>Varies</dt>
              <dd>{`${mapping.unresolved.map((name) => `{{${name}}}`).join(', ')} is filled in at sign-in: the user name differs per session`}</dd>
            </>
          ) : null}
        </dl>
      </section>
    );
  if (iamPrincipals.length === 0) return null;
  return (
    <section class="card" aria-labelledby="mapping-heading">
      <h2 id="mapping-heading">IAM principals mapped onto it</h2>
      <PrincipalList principals={iamPrincipals} choice={props.choice} />
    </section>
  );
}

function Pods(props: { pods: PodsOfServiceAccount; account: string }) {
  const { pods } = props;
  const body = (() => {
    switch (pods.kind) {
      case 'not-synced':
        return (
          <p>
            Pods were not synced in this run (it was made before syncs read pods): run gatehouse rbac sync
            again to see which pods run as this service account.
          </p>
        );
      case 'unreadable':
        return <p>{`The sync could not read pods: ${clip(pods.message, 300)}`}</p>;
      case 'synced':
        return pods.pods.length === 0 ? (
          <Empty>{`No pod ran as ${clip(props.account)} when the cluster was synced.`}</Empty>
        ) : (
          <ul>
            {pods.pods.map((pod) => (
              <li>
                <code>{clip(pod)}</code>
              </li>
            ))}
          </ul>
        );
      default: {
        const unreachable: never = pods;
        return unreachable;
      }
    }
  })();
  return (
    <section class="card" aria-labelledby="pods-heading">
      <h2 id="pods-heading">Pods that run as it</h2>
      {body}
    </section>
  );
}

/** The subject's bindings only (and, for an IAM principal, those of the identity it maps to). */
async function sourceFor(
  options: ConsoleOptions,
  choice: SyncChoice,
  subject: SubjectRef,
): Promise<ScopedSource> {
  const open = (user: string, groups: readonly string[]) =>
    scopedSource(options.store, {
      cluster: choice.cluster,
      run: choice.run,
      scope: { kind: 'identity', user, groups },
    });
  if (subject.kind !== 'iam') {
    const identity = identityOf(subject);
    return await open(identity.user, identity.groups);
  }
  const identity = identityFor(await open('', []), subject);
  return await open(identity.user, identity.groups);
}

async function subjectPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const kind = c.req.param('kind') ?? '';
  const name = (c.req.param('name') ?? '').slice(0, 600);
  const subject = parseSubjectRef(`${kind}:${name}`);
  const choice = await chooseSync(c, options.store);
  const source = await sourceFor(options, choice, subject);
  const answer = subjectAnswer(source, subject);
  const pods =
    subject.kind === 'serviceaccount' ? await podsRunningAs(options.store, source.run, subject) : undefined;
  const groups = byNamespace(answer.permissions.entries);
  const title = clip(describeSubject(subject));
  return await html(
    c,
    <Layout signed={signed} path="/governance/subjects" title={title}>
      <SourceNotice source={source} />
      <Mapping answer={answer} choice={choice} />
      {answer.permissions.superuser ? (
        <div class="notice error" role="status">
          <p>Member of system:masters: may do everything (no RBAC rule can limit it).</p>
        </div>
      ) : null}
      {pods ? <Pods pods={pods} account={describeSubject(subject)} /> : null}
      {groups.size === 0 ? (
        <Empty>No binding grants this subject anything.</Empty>
      ) : (
        <>
          <section class="card" aria-labelledby="picture-heading">
            <h2 id="picture-heading">Access at a glance</h2>
            <AccessPicture model={pictureModel(pictureSubject(subject), answer.permissions.entries)} />
          </section>
          {[...groups].map(([namespace, entries]) => (
            <NamespaceTable namespace={namespace} entries={entries} />
          ))}
        </>
      )}
    </Layout>,
  );
}

export function mountSubjectPage(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/governance/subjects/:kind/:name{.+}',
    page(options, (c, signed) => subjectPage(c, options, signed)),
  );
}
