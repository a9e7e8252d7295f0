import type { Transaction } from 'kysely';
import type { ClusterRole, PolicyRule, Role } from '../rbac/index.js';
import type { Database, Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';

// Rows per INSERT: 3 columns each stays well under SQLite's and PostgreSQL's parameter limits.
const batchSize = 500;

/**
 * What a question asks about: a resource (`pods`, whatever the subresource) or a URL; with
 * `allows`, the question's exact test of one rule, so only roles with a rule that passes count.
 */
export type RoleTarget = (
  | { readonly kind: 'resource'; readonly resource: string }
  | { readonly kind: 'url' }
) & {
  readonly allows?: (rule: PolicyRule) => boolean;
  /** With `allows`: the question's verb and resource keys, to read roles by (verb, resource). */
  readonly keys?: { readonly verb: string; readonly resources: readonly string[] };
};

/**
 * The resources a role's rules could name, coarsely: each entry's base resource (`pods/exec` →
 * `pods`), `*` for wildcards (`*`, or `*` before a subresource), `/` for non-resource URLs. A question about `pods`
 * needs only roles with `pods` or `*`; the engine then decides exactly.
 */
export function targetsOf(rules: readonly PolicyRule[]): string[] {
  const targets = new Set<string>();
  for (const rule of rules) {
    for (const resource of rule.resources ?? []) targets.add(resource.split('/')[0] || resource);
    if ((rule.nonResourceURLs ?? []).length > 0) targets.add('/');
  }
  return [...targets];
}

const keyOf = (role: Role | ClusterRole) =>
  role.kind === 'ClusterRole'
    ? `ClusterRole:${role.metadata.name}`
    : `Role:${role.metadata.namespace}/${role.metadata.name}`;

/** Writes each role's targets, in the transaction that saves the run. */
export async function writeRoleTargets(
  tx: Transaction<Database>,
  runId: string,
  read: ClusterRead,
): Promise<void> {
  const rows = [...read.clusterRoles, ...read.roles].flatMap((role) =>
    targetsOf(role.rules ?? []).map((target) => ({ run_id: runId, role_key: keyOf(role), target })),
  );
  for (let start = 0; start < rows.length; start += batchSize)
    await tx
      .insertInto('sync_role_targets')
      .values(rows.slice(start, start + batchSize))
      .execute();
}

/**
 * The roles (`ClusterRole:NAME`, `Role:NS/NAME`) of a run whose rules could answer the question;
 * with a namespace, only the ClusterRoles and that namespace's Roles. Undefined when the run was
 * saved before targets were written (then every role must be read).
 */
export async function rolesAbout(
  store: Store,
  runId: string,
  question: { readonly target: RoleTarget; readonly namespace?: string | undefined },
): Promise<Set<string> | undefined> {
  const { target, namespace } = question;
  const written = await store.db
    .selectFrom('sync_identity_maps')
    .select('run_id')
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (!written) return undefined;
  const targets = target.kind === 'url' ? ['/'] : [target.resource, '*'];
  const rows = await store.db
    .selectFrom('sync_role_targets')
    .select('role_key')
    .where('run_id', '=', runId)
    .where('target', 'in', targets)
    .execute();
  // In one namespace only its Roles and the ClusterRoles can be bound: the rest need not be read.
  const keys = rows
    .map((row) => row.role_key)
    .filter(
      (key) =>
        namespace === undefined || key.startsWith('ClusterRole:') || key.startsWith(`Role:${namespace}/`),
    );
  if (!target.allows) return new Set(keys);
  const allowing = new Set<string>();
  for (let start = 0; start < keys.length; start += batchSize) {
    const rules = await store.db
      .selectFrom('sync_role_rules')
      .select(['role_key', 'rules'])
      .where('run_id', '=', runId)
      .where('role_key', 'in', keys.slice(start, start + batchSize))
      .execute();
    for (const row of rules)
      if ((JSON.parse(row.rules) as PolicyRule[]).some(target.allows)) allowing.add(row.role_key);
  }
  return allowing;
}
