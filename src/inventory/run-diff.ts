import { diffGrants, type GrantDiff } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import { changedNamespaces, rolesDiffer } from './grant-digests.js';
import { sourceFrom } from './source.js';
import { type GrantRow, grantRowColumns, indexOfRows } from './subject-index.js';
import { loadSyncSnapshot } from './sync-runs.js';

// Values per IN list: well under SQLite's and PostgreSQL's parameter limits.
const batchSize = 500;

/** What changed between two runs, and whether it was read from rows or from both whole snapshots. */
export interface RunDiff extends GrantDiff {
  readonly readFrom: 'rows' | 'snapshots';
}

/**
 * The effective grants added and removed between two runs, exactly as `diffGrants` on their whole
 * snapshots, read from the grant rows of the namespaces that changed: a namespace's grants depend
 * only on its bindings and the rules of the roles they bind, so every other namespace gives the
 * same grants in both runs. Runs without a subject index (past the newest few) load whole.
 *
 * @example
 * const { added, removed } = await diffRuns(store, { from: older.id, to: newer.id });
 */
export async function diffRuns(
  store: Store,
  runs: { readonly from: string; readonly to: string },
): Promise<RunDiff> {
  const pair = [runs.from, runs.to] as const;
  const indexed = await store.db
    .selectFrom('sync_indexed_runs')
    .select('run_id')
    .where('run_id', 'in', [...pair])
    .execute();
  if (new Set(indexed.map((row) => row.run_id)).size < new Set(pair).size) {
    const [before, after] = await Promise.all(pair.map((runId) => loadSyncSnapshot(store, runId)));
    const index = (read: typeof before) => sourceFrom(read!, '', { offline: false }).index;
    return { ...diffGrants(index(before), index(after)), readFrom: 'snapshots' };
  }
  // Namespaces binding a changed role keep every subject; elsewhere only subjects whose rows differ.
  const bindingChangedRoles = (await rolesDiffer(store, pair))
    ? await namespacesBindingChangedRoles(store, pair)
    : new Set<string>();
  const namespaces = [...new Set([...(await changedNamespaces(store, pair)), ...bindingChangedRoles])];
  const [fromRows, toRows] = await Promise.all(pair.map((runId) => rowsIn(store, runId, namespaces)));
  const cells = changedCells(fromRows!, toRows!);
  const kept = (rows: readonly GrantRow[]) =>
    rows.filter((row) => bindingChangedRoles.has(row.namespace) || cells.has(cellOf(row)));
  const [before, after] = await Promise.all([
    indexOfRows(store, runs.from, kept(fromRows!)),
    indexOfRows(store, runs.to, kept(toRows!)),
  ]);
  return { ...diffGrants(before!, after!), readFrom: 'rows' };
}

/** One subject in one namespace (`''`: cluster-wide): its grants there depend on its rows there only. */
const cellOf = (row: GrantRow) => `${row.namespace}\u0000${row.subject}`;

/** The cells whose (binding, role) rows differ between two runs' rows. */
function changedCells(from: readonly GrantRow[], to: readonly GrantRow[]): Set<string> {
  const linesOf = (rows: readonly GrantRow[]) => {
    const cells = new Map<string, Set<string>>();
    for (const row of rows) {
      const lines = cells.get(cellOf(row)) ?? new Set<string>();
      lines.add(JSON.stringify([row.binding_kind, row.name, row.role_kind, row.role_name]));
      cells.set(cellOf(row), lines);
    }
    return cells;
  };
  const [before, after] = [linesOf(from), linesOf(to)];
  const changed = new Set<string>();
  const differ = (a: Set<string> | undefined, b: Set<string> | undefined) =>
    !a || !b || a.size !== b.size || [...a].some((line) => !b.has(line));
  for (const cell of new Set([...before.keys(), ...after.keys()]))
    if (differ(before.get(cell), after.get(cell))) changed.add(cell);
  return changed;
}

/** The namespaces (`''`: cluster-wide) with a binding to a role whose rules differ between the runs. */
async function namespacesBindingChangedRoles(
  store: Store,
  [from, to]: readonly [string, string],
): Promise<Set<string>> {
  const rulesOf = (runId: string) =>
    store.db.selectFrom('sync_role_rules').select(['role_key', 'rules']).where('run_id', '=', runId);
  // Added, removed or edited: a role present in one run only binds nothing in the other.
  const changed = [
    ...(await rulesOf(from).except(rulesOf(to)).execute()),
    ...(await rulesOf(to).except(rulesOf(from)).execute()),
  ];
  const namespaces = new Set<string>();
  const clusterRoles = new Set<string>();
  for (const { role_key: key } of changed) {
    // `Role:NS/NAME` is bound in its namespace only; a ClusterRole anywhere.
    if (key.startsWith('Role:')) namespaces.add(key.slice('Role:'.length, key.indexOf('/')));
    else clusterRoles.add(key.slice('ClusterRole:'.length));
  }
  const names = [...clusterRoles];
  for (let start = 0; start < names.length; start += batchSize) {
    const rows = await store.db
      .selectFrom('sync_subject_grants')
      .select('namespace')
      .distinct()
      .where('run_id', 'in', [from, to])
      .where('role_kind', '=', 'ClusterRole')
      .where('role_name', 'in', names.slice(start, start + batchSize))
      .execute();
    for (const row of rows) namespaces.add(row.namespace);
  }
  return namespaces;
}

async function rowsIn(store: Store, runId: string, namespaces: readonly string[]): Promise<GrantRow[]> {
  const rows: GrantRow[] = [];
  for (let start = 0; start < namespaces.length; start += batchSize) {
    const batch = await store.db
      .selectFrom('sync_subject_grants')
      .select(grantRowColumns)
      .where('run_id', '=', runId)
      .where('namespace', 'in', namespaces.slice(start, start + batchSize))
      .execute();
    for (const row of batch) rows.push(row);
  }
  // In the snapshot's order: the first binding to grant something names it first, as on the whole.
  return rows.sort((a, b) => a.ordinal - b.ordinal || a.position - b.position);
}
