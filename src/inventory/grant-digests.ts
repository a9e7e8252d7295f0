import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, Store } from '../store/index.js';

/** What a digest covers of a grant row: who, through which binding, to which role (not its place). */
export type DigestedRow = Pick<
  Database['sync_subject_grants'],
  'subject' | 'namespace' | 'binding_kind' | 'name' | 'role_kind' | 'role_name'
>;

/**
 * One digest per namespace (`''` for ClusterRoleBindings) over the distinct rows there: the
 * effective grants of a namespace depend on nothing else but the rules of the roles it binds.
 */
export function grantDigests(rows: readonly DigestedRow[]): Map<string, string> {
  const byNamespace = new Map<string, Set<string>>();
  for (const row of rows) {
    const line = JSON.stringify([row.subject, row.binding_kind, row.name, row.role_kind, row.role_name]);
    const lines = byNamespace.get(row.namespace) ?? new Set<string>();
    lines.add(line);
    byNamespace.set(row.namespace, lines);
  }
  const digests = new Map<string, string>();
  for (const [namespace, lines] of byNamespace)
    digests.set(
      namespace,
      createHash('sha256')
        .update([...lines].sort().join('\n'))
        .digest('hex'),
    );
  return digests;
}

// Rows per INSERT: 3 columns each stays well under SQLite's and PostgreSQL's parameter limits.
const batchSize = 500;

/** Writes a run's digests; a concurrent writer of the same run's digests wrote the same ones. */
export async function writeGrantDigests(
  db: Transaction<Database> | Store['db'],
  runId: string,
  rows: readonly DigestedRow[],
): Promise<void> {
  const values = [...grantDigests(rows)].map(([namespace, digest]) => ({ run_id: runId, namespace, digest }));
  for (let start = 0; start < values.length; start += batchSize)
    await db
      .insertInto('sync_grant_digests')
      .values(values.slice(start, start + batchSize))
      .onConflict((conflict) => conflict.columns(['run_id', 'namespace']).doNothing())
      .execute();
}

/**
 * The namespaces whose grant rows differ between two indexed runs (present in one only, or with
 * another digest). Runs indexed before digests were kept get theirs from their rows, once.
 */
export async function changedNamespaces(store: Store, runs: readonly [string, string]): Promise<Set<string>> {
  const [from, to] = await Promise.all(runs.map((runId) => digestsOf(store, runId)));
  const changed = new Set<string>();
  for (const [namespace, digest] of from!) if (to!.get(namespace) !== digest) changed.add(namespace);
  for (const [namespace, digest] of to!) if (from!.get(namespace) !== digest) changed.add(namespace);
  return changed;
}

async function digestsOf(store: Store, runId: string): Promise<Map<string, string>> {
  const stored = await store.db
    .selectFrom('sync_grant_digests')
    .select(['namespace', 'digest'])
    .where('run_id', '=', runId)
    .execute();
  if (stored.length > 0) return new Map(stored.map((row) => [row.namespace, row.digest]));
  // Saved before digests existed (or without a single binding): computed from the rows and kept.
  const rows = await store.db
    .selectFrom('sync_subject_grants')
    .select(['subject', 'namespace', 'binding_kind', 'name', 'role_kind', 'role_name'])
    .where('run_id', '=', runId)
    .execute();
  await writeGrantDigests(store.db, runId, rows);
  return grantDigests(rows);
}

/** One digest over every role of a run and its rules (as stored, JSON). */
export function roleDigest(roles: readonly { readonly role_key: string; readonly rules: string }[]): string {
  const lines = roles.map((role) => JSON.stringify([role.role_key, role.rules])).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export async function writeRoleDigest(
  db: Transaction<Database> | Store['db'],
  runId: string,
  roles: readonly { readonly role_key: string; readonly rules: string }[],
): Promise<void> {
  await db
    .insertInto('sync_role_digests')
    .values({ run_id: runId, digest: roleDigest(roles) })
    .onConflict((conflict) => conflict.column('run_id').doNothing())
    .execute();
}

/**
 * Whether any role's rules differ between two indexed runs: most syncs change bindings only, and
 * then no role need be compared. Runs indexed before role digests were kept get theirs, once.
 */
export async function rolesDiffer(store: Store, runs: readonly [string, string]): Promise<boolean> {
  const [from, to] = await Promise.all(runs.map((runId) => roleDigestOf(store, runId)));
  return from !== to;
}

async function roleDigestOf(store: Store, runId: string): Promise<string> {
  const stored = await store.db
    .selectFrom('sync_role_digests')
    .select('digest')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (stored) return stored.digest;
  const roles = await store.db
    .selectFrom('sync_role_rules')
    .select(['role_key', 'rules'])
    .where('run_id', '=', runId)
    .execute();
  await writeRoleDigest(store.db, runId, roles);
  return roleDigest(roles);
}
