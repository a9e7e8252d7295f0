import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import { AppError } from '../errors.js';
import { canonicalizeArn, type SubjectRef } from '../rbac/index.js';
import type { Database, Store } from '../store/index.js';
import type { UsagePermissionsTable } from '../store/tables/usage.js';
import type { Permission } from './audit-event.js';
import type { SubjectKey } from './usage-batch.js';

/** A permission a subject used, with when. */
export interface UsedPermission extends Permission {
  /** ISO times of the first and last use the store holds (all ingests, not only the window). */
  readonly firstUsed: string;
  readonly lastUsed: string;
  readonly count: number;
}

export interface UsageQuery {
  readonly cluster: string;
  /** A user, a group (what its members did while carrying it), a ServiceAccount or an IAM ARN. */
  readonly subject: SubjectRef;
  readonly since: Date;
  /** Default: now. */
  readonly until?: Date;
}

/**
 * What the audit log says a subject did in a window, or why it cannot say. `complete` is true when
 * the ingested logs reach back to the window's start; otherwise only `evidence.from` onwards is
 * known, and "unused" means "unused since then".
 */
export type WindowUsage =
  | {
      readonly kind: 'known';
      readonly cluster: string;
      readonly subject: SubjectKey;
      readonly window: { readonly since: string; readonly until: string };
      readonly evidence: UsageEvidence;
      readonly complete: boolean;
      /** Used in the window, most recent first. */
      readonly permissions: readonly UsedPermission[];
    }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The ingests that cover (part of) a window: the earliest and latest event they read. */
export interface UsageEvidence {
  readonly from: string;
  readonly to: string;
  readonly ingestions: number;
}

/** A `WindowUsage` and, when known, who else the subject was seen as. */
export type UsageAnswer =
  | (Extract<WindowUsage, { kind: 'known' }> & {
      /** Users: the groups and IAM ARNs seen with them; groups and ARNs: the usernames seen. */
      readonly seenWith: readonly string[];
    })
  | Extract<WindowUsage, { kind: 'unknown' }>;

/** The store key of a subject: the username the apiserver sees, or the group or canonical ARN. */
export function subjectKeyOf(subject: SubjectRef): SubjectKey {
  switch (subject.kind) {
    case 'user':
      return `user:${subject.name}`;
    case 'serviceaccount':
      return `user:system:serviceaccount:${subject.namespace}:${subject.name}`;
    case 'group':
      return `group:${subject.name}`;
    case 'iam':
      return `iam:${canonicalizeArn(subject.arn)?.canonical ?? subject.arn}`;
    default: {
      const unreachable: never = subject;
      throw new Error(`unknown subject ${String(unreachable)}`);
    }
  }
}

/**
 * The permissions a subject used in a window, from the ingested audit logs; `unknown` when no
 * ingest of that cluster covers any of the window (absence of evidence is not evidence of
 * non-use). A permission counts as used in the window when its uses span into it.
 *
 * @example
 * const answer = await usageOf(store, {
 *   cluster: 'prod',
 *   subject: { kind: 'serviceaccount', namespace: 'payments', name: 'api' },
 *   since: new Date(Date.now() - 90 * 86_400_000),
 * });
 * if (answer.kind === 'known') for (const p of answer.permissions) console.log(p.verb, p.resource, p.lastUsed);
 */
export async function usageOf(store: Store, query: UsageQuery): Promise<UsageAnswer> {
  const window = windowOf(query);
  const evidence = await evidenceFor(store, query.cluster, window.since, window.until);
  if (!evidence) return { kind: 'unknown', reason: await whyUnknown(store, query.cluster, window) };
  const subject = subjectKeyOf(query.subject);
  const rows = await usedPermissionRows(store, {
    cluster: query.cluster,
    window,
    subjects: (where) => where('subject', '=', subject),
  });
  return {
    ...knownUsage(query.cluster, subject, window, evidence),
    permissions: rows.map(toUsedPermission),
    seenWith: await seenWith(store, query.cluster, subject),
  };
}

/** The window as ISO text, refused when it ends before it starts. */
export function windowOf(query: { readonly since: Date; readonly until?: Date }): {
  since: string;
  until: string;
} {
  const until = query.until ?? new Date();
  if (!(query.since.getTime() < until.getTime()))
    throw new AppError('input.invalid', 'the usage window ends before it starts', {
      fix: 'Give a start (--since) before the end',
    });
  return { since: query.since.toISOString(), until: until.toISOString() };
}

/** A known answer before its permissions are added. */
export function knownUsage(
  cluster: string,
  subject: SubjectKey,
  window: { readonly since: string; readonly until: string },
  evidence: UsageEvidence,
): Omit<Extract<WindowUsage, { kind: 'known' }>, 'permissions'> {
  return { kind: 'known', cluster, subject, window, evidence, complete: evidence.from <= window.since };
}

type PermissionRow = Selectable<UsagePermissionsTable>;

/**
 * The rows of the subjects `subjects` selects that were used in the window, most recent first;
 * ties ordered by every permission field so one subject's rows come in the same order whether it
 * was asked for alone or among many.
 */
export async function usedPermissionRows(
  store: Store,
  query: {
    readonly cluster: string;
    readonly window: { readonly since: string; readonly until: string };
    readonly subjects: (where: ExpressionBuilder<Database, 'usage_permissions'>) => Expression<SqlBool>;
  },
): Promise<PermissionRow[]> {
  return await store.db
    .selectFrom('usage_permissions')
    .selectAll()
    .where('cluster', '=', query.cluster)
    .where(query.subjects)
    .where('last_used', '>=', query.window.since)
    .where('first_used', '<=', query.window.until)
    .orderBy('last_used', 'desc')
    .orderBy('api_group')
    .orderBy('resource')
    .orderBy('name')
    .orderBy('verb')
    .orderBy('subresource')
    .orderBy('namespace')
    .orderBy('non_resource_url')
    .execute();
}

export function toUsedPermission(row: PermissionRow): UsedPermission {
  return {
    verb: row.verb,
    apiGroup: row.api_group,
    resource: row.resource,
    subresource: row.subresource,
    namespace: row.namespace,
    name: row.name,
    nonResourceUrl: row.non_resource_url,
    firstUsed: row.first_used,
    lastUsed: row.last_used,
    count: Number(row.count),
  };
}

export async function evidenceFor(
  store: Store,
  cluster: string,
  since: string,
  until: string,
): Promise<UsageEvidence | undefined> {
  const row = await store.db
    .selectFrom('usage_ingestions')
    .select((eb) => [
      eb.fn.min('window_from').as('from'),
      eb.fn.max('window_to').as('to'),
      eb.fn.countAll().as('ingestions'),
    ])
    .where('cluster', '=', cluster)
    .where('window_from', '<=', until)
    .where('window_to', '>=', since)
    .executeTakeFirst();
  if (!row?.from || !row.to || Number(row.ingestions) === 0) return undefined;
  return { from: String(row.from), to: String(row.to), ingestions: Number(row.ingestions) };
}

export async function whyUnknown(
  store: Store,
  cluster: string,
  { since, until }: { readonly since: string; readonly until: string },
): Promise<string> {
  const any = await store.db
    .selectFrom('usage_ingestions')
    .select((eb) => [eb.fn.min('window_from').as('from'), eb.fn.max('window_to').as('to')])
    .where('cluster', '=', cluster)
    .executeTakeFirst();
  if (!any?.from || !any.to)
    return `no audit log of cluster "${cluster}" has been ingested (run \`gatehouse usage ingest PATH --cluster ${cluster}\`)`;
  return `the audit logs ingested for cluster "${cluster}" span ${String(any.from)} to ${String(any.to)}, outside ${since} to ${until}`;
}

async function seenWith(store: Store, cluster: string, subject: SubjectKey): Promise<string[]> {
  const query = store.db.selectFrom('usage_identities').where('cluster', '=', cluster);
  if (subject.startsWith('user:')) {
    const rows = await query
      .select(['kind', 'value'])
      .where('subject', '=', subject)
      .orderBy('value')
      .execute();
    return rows.map((row) => `${row.kind}:${row.value}`);
  }
  const [kind, value] = subject.startsWith('group:')
    ? ['group', subject.slice('group:'.length)]
    : ['iam', subject.slice('iam:'.length)];
  const rows = await query
    .select('subject')
    .where('kind', '=', kind)
    .where('value', '=', value)
    .orderBy('subject')
    .limit(1000)
    .execute();
  return rows.map((row) => row.subject);
}
