import type { Transaction } from 'kysely';
import {
  type Binding,
  type ClusterRole,
  type PolicyRule,
  RbacIndex,
  type Role,
  resolveSubject,
  roleKey,
  type Subject,
  subjectKey,
  subjectKeysFor,
} from '../rbac/index.js';
import type { Database, Store } from '../store/index.js';
import { writeGrantDigests, writeRoleDigest } from './grant-digests.js';
import type { ClusterRead } from './read-cluster.js';
import { writeRuleKeys } from './rule-keys.js';

/** How many of a cluster's newest runs keep their subject index; older ones load whole. */
export const indexedRunsKept = 3;

// Rows per INSERT: 7 columns each stays well under SQLite's and PostgreSQL's parameter limits.
const batchSize = 500;

/**
 * Writes a run's grants keyed by subject and its roles' rules, in the transaction that saves the
 * run, and drops the index of the cluster's older runs (their snapshots stay whole).
 */
export async function writeSubjectIndex(
  tx: Transaction<Database>,
  run: { readonly id: string; readonly cluster: string },
  read: ClusterRead,
): Promise<void> {
  const grants = [...read.clusterRoleBindings, ...read.roleBindings].flatMap((binding, ordinal) =>
    grantRows(run.id, binding, ordinal),
  );
  for (let start = 0; start < grants.length; start += batchSize)
    await tx
      .insertInto('sync_subject_grants')
      .values(grants.slice(start, start + batchSize))
      .execute();
  await writeGrantDigests(tx, run.id, grants);
  const roles = [
    ...read.clusterRoles.map((role) => ({
      run_id: run.id,
      role_key: `ClusterRole:${role.metadata.name}`,
      rules: JSON.stringify(role.rules ?? []),
    })),
    ...read.roles.map((role) => ({
      run_id: run.id,
      role_key: `Role:${role.metadata.namespace}/${role.metadata.name}`,
      rules: JSON.stringify(role.rules ?? []),
    })),
  ];
  for (let start = 0; start < roles.length; start += batchSize)
    await tx
      .insertInto('sync_role_rules')
      .values(roles.slice(start, start + batchSize))
      .execute();
  await writeRoleDigest(tx, run.id, roles);
  await writeRuleKeys(tx, run.id, read);
  await tx.insertInto('sync_indexed_runs').values({ run_id: run.id }).execute();
  await pruneOlderIndexes(tx, run.cluster);
}

function grantRows(runId: string, binding: Binding, ordinal: number) {
  const rows = [];
  for (const [position, subject] of (binding.subjects ?? []).entries()) {
    const resolved = resolveSubject(subject, binding);
    if (!resolved) continue; // matches nobody, as in the engine
    rows.push({
      run_id: runId,
      subject: subjectKey(resolved),
      ordinal,
      binding_kind: binding.kind,
      namespace: binding.kind === 'RoleBinding' ? (binding.metadata.namespace ?? '') : '',
      name: binding.metadata.name,
      role_kind: binding.roleRef.kind,
      role_name: binding.roleRef.name,
      position,
    });
  }
  return rows;
}

async function pruneOlderIndexes(tx: Transaction<Database>, cluster: string): Promise<void> {
  const stale = await tx
    .selectFrom('sync_indexed_runs')
    .innerJoin('sync_runs', 'sync_runs.id', 'sync_indexed_runs.run_id')
    .select('sync_runs.id')
    .where('sync_runs.cluster', '=', cluster)
    .orderBy('sync_runs.started_at', 'desc')
    .offset(indexedRunsKept)
    .limit(1_000_000)
    .execute();
  const ids = stale.map((row) => row.id);
  if (ids.length === 0) return;
  await tx.deleteFrom('sync_subject_grants').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_role_rules').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_role_targets').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_rule_keys').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_grant_digests').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_role_digests').where('run_id', 'in', ids).execute();
  await tx.deleteFrom('sync_indexed_runs').where('run_id', 'in', ids).execute();
}

/**
 * An engine index over only the bindings that name this user, one of its groups or its service
 * account, and the roles they refer to: the same answers for that user as the whole snapshot, read
 * from a few rows. Undefined when the run has no subject index (older runs).
 */
export async function subjectIndex(
  store: Store,
  runId: string,
  user: { readonly name: string; readonly groups: readonly string[] },
): Promise<RbacIndex | undefined> {
  const indexed = await store.db
    .selectFrom('sync_indexed_runs')
    .select('run_id')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (!indexed) return undefined;
  const keys = subjectKeysFor(user.name, user.groups);
  const rows = await store.db
    .selectFrom('sync_subject_grants')
    .selectAll()
    .where('run_id', '=', runId)
    .where('subject', 'in', keys)
    .orderBy('ordinal')
    .execute();
  // In the whole index's order (by subject key, then binding), so answers name the same binding.
  const rank = new Map(keys.map((key, position) => [key, position]));
  const ranked = [...rows].sort((a, b) => (rank.get(a.subject) ?? 0) - (rank.get(b.subject) ?? 0));
  return await indexOfRows(store, runId, ranked);
}

/**
 * An engine index over the bindings of some grant rows (in their order; the rows of one binding
 * become one binding with each of their subjects) and the roles those bindings refer to; roles in
 * `known` (rules already read, by role key) are not read again.
 */
export async function indexOfRows(
  store: Store,
  runId: string,
  rows: readonly GrantRow[],
  known: ReadonlyMap<string, readonly PolicyRule[]> = new Map(),
): Promise<RbacIndex> {
  const byOrdinal = new Map<number, GrantRow[]>();
  for (const row of rows) {
    const group = byOrdinal.get(row.ordinal);
    if (group) group.push(row);
    else byOrdinal.set(row.ordinal, [row]);
  }
  // Subjects in the binding's own order: answers name matched subjects as the whole snapshot does.
  const bindings = [...byOrdinal.values()].map((group) =>
    toBinding(group.sort((a, b) => a.position - b.position)),
  );
  const roleKeys = [...new Set(bindings.map(roleKey))].filter((key) => !known.has(key));
  const roleRows: { role_key: string; rules: string | readonly PolicyRule[] }[] = [...known].map(
    ([role_key, rules]) => ({ role_key, rules }),
  );
  // In slices: a namespace's question may name a thousand roles, past a statement's parameter limit.
  for (let start = 0; start < roleKeys.length; start += batchSize)
    roleRows.push(
      ...(await store.db
        .selectFrom('sync_role_rules')
        .select(['role_key', 'rules'])
        .where('run_id', '=', runId)
        .where('role_key', 'in', roleKeys.slice(start, start + batchSize))
        .execute()),
    );
  return new RbacIndex(snapshotOf(bindings, roleRows));
}

export type GrantRow = Readonly<Omit<Database['sync_subject_grants'], 'run_id'>>;

/** The columns of a `GrantRow`, for queries that read grant rows. */
export const grantRowColumns = [
  'subject',
  'ordinal',
  'binding_kind',
  'namespace',
  'name',
  'role_kind',
  'role_name',
  'position',
] as const;

function subjectOf(key: string): Subject {
  const [kind, ...rest] = key.split(':');
  return kind === 'ServiceAccount'
    ? { kind: 'ServiceAccount' as const, namespace: rest[0] ?? '', name: rest.slice(1).join(':') }
    : { kind: kind as 'User' | 'Group', name: rest.join(':') };
}

/** A binding with the subjects the rows name (a subject index's rows: only those asked about). */
function toBinding(rows: readonly GrantRow[]): Binding {
  const row = rows[0]!;
  const subjects = rows.map((each) => subjectOf(each.subject));
  const roleRef = { kind: row.role_kind as 'Role' | 'ClusterRole', name: row.role_name };
  return row.binding_kind === 'RoleBinding'
    ? {
        kind: 'RoleBinding',
        metadata: { name: row.name, namespace: row.namespace },
        roleRef,
        subjects,
      }
    : { kind: 'ClusterRoleBinding', metadata: { name: row.name }, roleRef, subjects };
}

function snapshotOf(
  bindings: readonly Binding[],
  roleRows: readonly { readonly role_key: string; readonly rules: string | readonly PolicyRule[] }[],
) {
  const roles: Role[] = [];
  const clusterRoles: ClusterRole[] = [];
  // By key, as the apiserver lists roles (by name, Roles by namespace then name): one order on every run.
  for (const row of [...roleRows].sort((a, b) =>
    a.role_key < b.role_key ? -1 : a.role_key > b.role_key ? 1 : 0,
  )) {
    const rules = (typeof row.rules === 'string' ? JSON.parse(row.rules) : row.rules) as Role['rules'];
    if (row.role_key.startsWith('ClusterRole:'))
      clusterRoles.push({
        kind: 'ClusterRole',
        metadata: { name: row.role_key.slice('ClusterRole:'.length) },
        rules,
      });
    else {
      const [namespace, ...name] = row.role_key.slice('Role:'.length).split('/');
      roles.push({ kind: 'Role', metadata: { name: name.join('/'), namespace: namespace ?? '' }, rules });
    }
  }
  return {
    roles,
    clusterRoles,
    roleBindings: bindings.filter((binding) => binding.kind === 'RoleBinding'),
    clusterRoleBindings: bindings.filter((binding) => binding.kind === 'ClusterRoleBinding'),
  };
}
