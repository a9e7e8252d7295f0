import { type Expression, type SqlBool, sql } from 'kysely';
import type { SubjectRef } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { SubjectKey } from './usage-batch.js';
import {
  evidenceFor,
  knownUsage,
  subjectKeyOf,
  toUsedPermission,
  usedPermissionRows,
  type WindowUsage,
  whyUnknown,
  windowOf,
} from './usage-of.js';

export interface UsageManyQuery {
  readonly cluster: string;
  /** Any number; duplicates are asked for once. */
  readonly subjects: readonly SubjectRef[];
  readonly since: Date;
  /** Default: now. */
  readonly until?: Date;
}

/**
 * What many subjects used in one window, in at most three queries however many they are (the
 * evidence, then either why it is missing or every subject's permissions at once): a review
 * queue page or a whole campaign asks once instead of once per item. Each subject's answer is the
 * one `usageOf` gives, without `seenWith`.
 *
 * @example
 * const answers = await usageOfMany(store, { cluster: 'prod', subjects, since });
 * answers.get(subjectKeyOf(subjects[0]));
 */
export async function usageOfMany(
  store: Store,
  query: UsageManyQuery,
): Promise<ReadonlyMap<SubjectKey, WindowUsage>> {
  const window = windowOf(query);
  const keys = [...new Set(query.subjects.map(subjectKeyOf))];
  const answers = new Map<SubjectKey, WindowUsage>();
  if (keys.length === 0) return answers;
  const evidence = await evidenceFor(store, query.cluster, window.since, window.until);
  if (!evidence) {
    const reason = await whyUnknown(store, query.cluster, window);
    for (const key of keys) answers.set(key, { kind: 'unknown', reason });
    return answers;
  }
  const rows = await usedPermissionRows(store, {
    cluster: query.cluster,
    window,
    subjects: () => subjectIn(store, keys),
  });
  const bySubject = new Map<string, typeof rows>(keys.map((key) => [key, []]));
  for (const row of rows) bySubject.get(row.subject)?.push(row);
  for (const key of keys)
    answers.set(key, {
      ...knownUsage(query.cluster, key, window, evidence),
      permissions: (bySubject.get(key) ?? []).map(toUsedPermission),
    });
  return answers;
}

/**
 * `subject` is one of `keys`, bound as a single parameter (a JSON array in SQLite, a text array in
 * PostgreSQL), so a campaign's thousands of subjects never meet a driver's bound-parameter limit.
 */
function subjectIn(store: Store, keys: readonly string[]): Expression<SqlBool> {
  switch (store.dialect) {
    case 'sqlite':
      return sql<SqlBool>`subject in (select value from json_each(${JSON.stringify(keys)}))`;
    case 'postgres':
      return sql<SqlBool>`subject = any(${[...keys]}::text[])`;
    default: {
      const unknown: never = store.dialect;
      throw new Error(`unknown store dialect ${String(unknown)}`);
    }
  }
}
