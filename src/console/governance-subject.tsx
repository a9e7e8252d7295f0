import type { Hono } from 'hono';
import { AppError } from '../errors.js';
import { requireRole } from '../identity/index.js';
import type { RbacSource } from '../inventory/index.js';
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
import { chooseSync, clip, openSync, SourceNotice } from './governance-source.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** What the subject page shows: the engine's permissions, and how an IAM principal maps in. */
export interface SubjectAnswer {
  readonly permissions: EffectivePermissions;
  readonly mapping?: MappedIdentity;
  /** IAM principals aws-auth maps onto a user or group. */
  readonly iamPrincipals: readonly string[];
}

function mappedIdentity(source: RbacSource, arn: string): MappedIdentity {
  const mapped = resolveIamPrincipal(
    { arn },
    {
      ...(source.awsAuth ? { awsAuth: source.awsAuth } : {}),
      ...(source.read.eks
        ? {
            accessEntries: source.read.eks.accessEntries,
            authenticationMode: source.read.eks.authenticationMode,
          }
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

/** The same engine calls as `gatehouse rbac permissions SUBJECT` on a stored sync. */
export function subjectAnswer(source: RbacSource, subject: SubjectRef): SubjectAnswer {
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
        );
  return {
    permissions: effectivePermissions(source.index, identityOf(subject)),
    iamPrincipals: iamPrincipals.map((principal) => principal.arn),
  };
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
              <th scope="col">Rule</th>
              <th scope="col">Granted by</th>
              <th scope="col">As</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((entry) => (
              <tr>
                <td class="wrap">
                  <code>{clip(describeRule(entry.rule), 200)}</code>
                </td>
                <td class="wrap">
                  <code>{clip(entry.binding)}</code>
                  {' → '}
                  <code>{clip(entry.role)}</code>
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

function Mapping(props: { answer: SubjectAnswer }) {
  const { mapping, iamPrincipals } = props.answer;
  if (mapping)
    return (
      <p>{`Mapped to user "${clip(mapping.username)}", groups [${mapping.groups.map((group) => clip(group)).join(', ')}] from ${mapping.source}.`}</p>
    );
  if (iamPrincipals.length === 0) return null;
  return <p>{`IAM principals mapped onto it: ${iamPrincipals.map((arn) => clip(arn)).join(', ')}`}</p>;
}

async function subjectPage(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  requireRole(signed.principal, 'auditor', 'see access governance');
  const kind = c.req.param('kind') ?? '';
  const name = (c.req.param('name') ?? '').slice(0, 600);
  const subject = parseSubjectRef(`${kind}:${name}`);
  const choice = await chooseSync(c, options.store);
  const source = await openSync(options.store, choice);
  const answer = subjectAnswer(source, subject);
  const groups = byNamespace(answer.permissions.entries);
  const title = clip(describeSubject(subject));
  return await html(
    c,
    <Layout signed={signed} path="/governance/subjects" title={title}>
      <SourceNotice source={source} />
      <Mapping answer={answer} />
      {answer.permissions.superuser ? (
        <div class="notice error" role="status">
          <p>Member of system:masters: may do everything (no RBAC rule can limit it).</p>
        </div>
      ) : null}
      {groups.size === 0 ? (
        <Empty>No binding grants this subject anything.</Empty>
      ) : (
        [...groups].map(([namespace, entries]) => <NamespaceTable namespace={namespace} entries={entries} />)
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
