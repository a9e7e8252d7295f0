import type { Transaction } from 'kysely';
import type { ClusterRole, PolicyRule, Role } from '../rbac/index.js';
import type { Database, Store } from '../store/index.js';
import type { ClusterRead } from './read-cluster.js';

// Rows per INSERT: 4 columns each stays well under SQLite's and PostgreSQL's parameter limits.
const batchSize = 500;
/** Past this many pairs a rule is stored coarser: a hostile rule of 1,000 verbs × 1,000 resources is not a million rows. */
const pairsPerRule = 128;

/**
 * The (verb, resource) pairs under which a rule is found: every verb with every resource as
 * written, and `/` for its URLs. A question looks up its verb or `*` with `resourceKeys` (or `/`),
 * so every rule that could allow it is found; the engine then decides exactly. Too many pairs are
 * stored as `*` in the longer list, which every question also looks up.
 */
export function ruleKeysOf(rule: PolicyRule): { verb: string; resource: string }[] {
  const urls = (rule.nonResourceURLs ?? []).length > 0 ? ['/'] : [];
  let verbs = [...new Set(rule.verbs)];
  let resources = [...new Set([...(rule.resources ?? []), ...urls])];
  if (verbs.length * resources.length > pairsPerRule) {
    if (verbs.length >= resources.length) verbs = ['*'];
    else resources = ['*', ...urls];
  }
  if (verbs.length * resources.length > pairsPerRule) [verbs, resources] = [['*'], ['*', ...urls]];
  return verbs.flatMap((verb) => resources.map((resource) => ({ verb, resource })));
}

/** The resource keys a rule allowing a request on this resource names: as written, `*`, or `*\/SUBRESOURCE`. */
export function resourceKeys(resource: string, subresource = ''): string[] {
  return subresource === '' ? [resource, '*'] : [`${resource}/${subresource}`, '*', `*/${subresource}`];
}

const keyOf = (role: Role | ClusterRole) =>
  role.kind === 'ClusterRole'
    ? `ClusterRole:${role.metadata.name}`
    : `Role:${role.metadata.namespace}/${role.metadata.name}`;

/** Writes each role's distinct (verb, resource) pairs, in the transaction that saves the run. */
export async function writeRuleKeys(
  tx: Transaction<Database>,
  runId: string,
  read: ClusterRead,
): Promise<void> {
  const rows = [...read.clusterRoles, ...read.roles].flatMap((role) => {
    const pairs = new Map(
      (role.rules ?? [])
        .flatMap(ruleKeysOf)
        .map((pair) => [JSON.stringify([pair.verb, pair.resource]), pair]),
    );
    return [...pairs.values()].map((pair) => ({ run_id: runId, role_key: keyOf(role), ...pair }));
  });
  for (let start = 0; start < rows.length; start += batchSize)
    await tx
      .insertInto('sync_rule_keys')
      .values(rows.slice(start, start + batchSize))
      .execute();
}

/** What a question looks up: its verb and the resource keys a rule allowing it must name. */
export interface RuleQuestion {
  readonly verb: string;
  /** `[resource/subresource, '*', '*\/subresource']` for a resource, `['/']` for a URL. */
  readonly resources: readonly string[];
  /** The question's exact test of one rule. */
  readonly allows: (rule: PolicyRule) => boolean;
  /** Only ClusterRoles and this namespace's Roles (a question in one namespace). */
  readonly namespace?: string | undefined;
}

/**
 * The roles of a run with a rule that allows the question, with all their rules (the engine's
 * index needs them whole), read through the (verb, resource) keys. Undefined when the run has
 * no keys (saved before they were written): then the caller reads roles another way.
 */
export async function rolesAllowing(
  store: Store,
  runId: string,
  question: RuleQuestion,
): Promise<Map<string, PolicyRule[]> | undefined> {
  const rows = await store.db
    .selectFrom('sync_rule_keys')
    .innerJoin('sync_role_rules', (join) =>
      join
        .onRef('sync_role_rules.run_id', '=', 'sync_rule_keys.run_id')
        .onRef('sync_role_rules.role_key', '=', 'sync_rule_keys.role_key'),
    )
    .select(['sync_rule_keys.role_key', 'sync_role_rules.rules'])
    .where('sync_rule_keys.run_id', '=', runId)
    .where('sync_rule_keys.resource', 'in', [...question.resources])
    .where('sync_rule_keys.verb', 'in', [...new Set([question.verb, '*'])])
    .execute();
  if (rows.length === 0 && !(await hasRuleKeys(store, runId))) return undefined;
  const { namespace } = question;
  const allowing = new Map<string, PolicyRule[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    // A role is found once for each of its pairs that matches.
    if (seen.has(row.role_key)) continue;
    seen.add(row.role_key);
    // In one namespace only its Roles and the ClusterRoles can be bound.
    if (namespace !== undefined && !row.role_key.startsWith('ClusterRole:'))
      if (!row.role_key.startsWith(`Role:${namespace}/`)) continue;
    const rules = JSON.parse(row.rules) as PolicyRule[];
    if (rules.some(question.allows)) allowing.set(row.role_key, rules);
  }
  return allowing;
}

async function hasRuleKeys(store: Store, runId: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('sync_rule_keys')
    .select('run_id')
    .where('run_id', '=', runId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
