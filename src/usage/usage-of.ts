import { AppError } from '../errors.js';
import { canonicalizeArn, type SubjectRef } from '../rbac/index.js';
import type { Store } from '../store/index.js';
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
export type UsageAnswer =
  | {
      readonly kind: 'known';
      readonly cluster: string;
      readonly subject: SubjectKey;
      readonly window: { readonly since: string; readonly until: string };
      readonly evidence: { readonly from: string; readonly to: string; readonly ingestions: number };
      readonly complete: boolean;
      /** Used in the window, most recent first. */
      readonly permissions: readonly UsedPermission[];
      /** Users: the groups and IAM ARNs seen with them; groups and ARNs: the usernames seen. */
      readonly seenWith: readonly string[];
    }
  | { readonly kind: 'unknown'; readonly reason: string };

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
  const until = query.until ?? new Date();
  if (!(query.since.getTime() < until.getTime()))
    throw new AppError('input.invalid', 'the usage window ends before it starts', {
      fix: 'Give a start (--since) before the end',
    });
  const since = query.since.toISOString();
  const end = until.toISOString();
  const evidence = await evidenceFor(store, query.cluster, since, end);
  if (!evidence) return { kind: 'unknown', reason: await whyUnknown(store, query.cluster, since, end) };
  const subject = subjectKeyOf(query.subject);
  const rows = await store.db
    .selectFrom('usage_permissions')
    .selectAll()
    .where('cluster', '=', query.cluster)
    .where('subject', '=', subject)
    .where('last_used', '>=', since)
    .where('first_used', '<=', end)
    .orderBy('last_used', 'desc')
    .orderBy('api_group')
    .orderBy('resource')
    .orderBy('name')
    .orderBy('verb')
    .execute();
  return {
    kind: 'known',
    cluster: query.cluster,
    subject,
    window: { since, until: end },
    evidence,
    complete: evidence.from <= since,
    permissions: rows.map((row) => ({
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
    })),
    seenWith: await seenWith(store, query.cluster, subject),
  };
}

async function evidenceFor(
  store: Store,
  cluster: string,
  since: string,
  until: string,
): Promise<{ from: string; to: string; ingestions: number } | undefined> {
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

async function whyUnknown(store: Store, cluster: string, since: string, until: string): Promise<string> {
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
