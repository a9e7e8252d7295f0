import { type AwsAuth, parseAwsAuth, type RbacIndex } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { EksAccessConfig } from './read-cluster.js';
import { type RoleTarget, rolesAbout } from './role-targets.js';
import { rolesAllowing } from './rule-keys.js';
import { identityMapsOf } from './run-sides.js';
import { chosenRun, runLabel, sourceFrom, warningsOf } from './source.js';
import { type GrantRow, grantRowColumns, indexOfRows, subjectIndex } from './subject-index.js';
import { loadSyncSnapshot, type SyncRun } from './sync-runs.js';

/**
 * Which bindings a question needs: those that apply in one namespace (its RoleBindings and every
 * ClusterRoleBinding), those of one identity, or all of them.
 */
export type QueryScope =
  | { readonly kind: 'namespace'; readonly namespace: string; readonly about?: RoleTarget }
  | { readonly kind: 'identity'; readonly user: string; readonly groups: readonly string[] }
  | { readonly kind: 'everything'; readonly about?: RoleTarget };

/** What a console page answers from: the engine's index over the bindings in scope, and the run's IAM mappings. */
export interface ScopedSource {
  readonly index: RbacIndex;
  readonly label: string;
  readonly run: SyncRun;
  readonly awsAuth: AwsAuth | undefined;
  readonly eks: EksAccessConfig | undefined;
  /** What the sync could not read and aws-auth problems: the answer may be incomplete. */
  readonly warnings: readonly string[];
}

/**
 * The latest usable sync of a cluster (or a given run), as an index over only the bindings in
 * scope, read from the run's subject index: for those bindings the engine answers exactly as on
 * the whole snapshot. Runs past the newest few, which keep no subject index, load whole.
 *
 * @example
 * const source = await scopedSource(store, { cluster: 'prod', scope: { kind: 'namespace', namespace: 'payments' } });
 * whoCan(source.index, { kind: 'resource', attributes: { verb: 'get', resource: 'pods', namespace: 'payments' } });
 */
export async function scopedSource(
  store: Store,
  options: { readonly cluster: string; readonly run?: string | undefined; readonly scope: QueryScope },
): Promise<ScopedSource> {
  const run = await chosenRun(store, options.cluster, options.run);
  const maps = await identityMapsOf(store, run.id);
  const awsAuth = maps.awsAuth?.data ? parseAwsAuth(maps.awsAuth.data) : undefined;
  const index =
    (await indexInScope(store, run.id, options.scope)) ??
    sourceFrom(await loadSyncSnapshot(store, run.id), '', { offline: false }).index;
  return {
    index,
    label: runLabel(run),
    run,
    awsAuth,
    eks: maps.eks,
    warnings: warningsOf(run.errors, awsAuth),
  };
}

async function indexInScope(store: Store, runId: string, scope: QueryScope): Promise<RbacIndex | undefined> {
  if (scope.kind === 'identity')
    return await subjectIndex(store, runId, { name: scope.user, groups: scope.groups });
  const indexed = await store.db
    .selectFrom('sync_indexed_runs')
    .select('run_id')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (!indexed) return undefined;
  // Only the bindings of roles whose rules could answer, when the question says what it is about.
  const namespace = scope.kind === 'namespace' ? scope.namespace : undefined;
  const { allows, keys } = scope.about ?? {};
  const allowing =
    allows && keys ? await rolesAllowing(store, runId, { ...keys, allows, namespace }) : undefined;
  if (allowing)
    return await indexOfRows(
      store,
      runId,
      await grantsOfRoles(store, runId, scope, new Set(allowing.keys())),
      allowing,
    );
  const roles = scope.about ? await rolesAbout(store, runId, { target: scope.about, namespace }) : undefined;
  const rows = roles ? await grantsOfRoles(store, runId, scope, roles) : await grantsIn(store, runId, scope);
  return await indexOfRows(store, runId, rows);
}

async function grantsIn(
  store: Store,
  runId: string,
  scope: Exclude<QueryScope, { kind: 'identity' }>,
): Promise<GrantRow[]> {
  let query = store.db.selectFrom('sync_subject_grants').select(grantRowColumns).where('run_id', '=', runId);
  // A ClusterRoleBinding's namespace column is empty: it applies in every namespace.
  if (scope.kind === 'namespace') query = query.where('namespace', 'in', [scope.namespace, '']);
  return await query.orderBy('ordinal').execute();
}

const rowRole = (row: GrantRow) =>
  row.role_kind === 'ClusterRole' ? `ClusterRole:${row.role_name}` : `Role:${row.namespace}/${row.role_name}`;

async function grantsOfRoles(
  store: Store,
  runId: string,
  scope: Exclude<QueryScope, { kind: 'identity' }>,
  roles: ReadonlySet<string>,
): Promise<GrantRow[]> {
  // One namespace's grants are few: read them and keep those of the roles. Across namespaces, read by role.
  if (scope.kind === 'namespace')
    return (await grantsIn(store, runId, scope)).filter((row) => roles.has(rowRole(row)));
  // `ClusterRole:system:basic-user`, `Role:payments/reader`: names may hold colons, never slashes.
  const nameOf = (key: string) =>
    key.startsWith('ClusterRole:') ? key.slice('ClusterRole:'.length) : key.slice(key.indexOf('/') + 1);
  const names = [...new Set([...roles].map(nameOf))];
  const rows: GrantRow[] = [];
  for (let start = 0; start < names.length; start += 500)
    rows.push(
      ...(await store.db
        .selectFrom('sync_subject_grants')
        .select(grantRowColumns)
        .where('run_id', '=', runId)
        .where('role_name', 'in', names.slice(start, start + 500))
        .execute()),
    );
  return rows.filter((row) => roles.has(rowRole(row))).sort((a, b) => a.ordinal - b.ordinal);
}
