import { auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { AccessFlow } from './flows.js';

/** Stores flows (insert or replace by name); each change is audited by the caller. */
export async function saveFlows(
  store: Store,
  flows: readonly AccessFlow[],
  by: string,
  now = new Date(),
  /** Added to each audit entry, e.g. `{ via: 'api' }`: which door the change came through. */
  extra: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  // Each flow change and its audit entry commit together or not at all.
  await auditedTransaction(store, async ({ tx, audit }) => {
    for (const flow of flows) {
      await tx.deleteFrom('access_flows').where('name', '=', flow.name).execute();
      await tx
        .insertInto('access_flows')
        .values({
          name: flow.name,
          spec: JSON.stringify(flow),
          updated_at: now.toISOString(),
          updated_by: by,
        })
        .execute();
      await audit(
        {
          actor: by,
          action: 'access.flow-apply',
          target: flow.name,
          outcome: 'succeeded',
          details: { flow, ...extra },
        },
        () => now,
      );
    }
  });
}

export async function listFlows(store: Store): Promise<AccessFlow[]> {
  const rows = await store.db.selectFrom('access_flows').select('spec').orderBy('name').execute();
  return rows.map((row) => JSON.parse(row.spec) as AccessFlow);
}

export async function getFlow(store: Store, name: string): Promise<AccessFlow> {
  const row = await store.db
    .selectFrom('access_flows')
    .select('spec')
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not-found', `no access flow ${name}`, {
      fix: 'List flows with `gatehouse access flows list`; add one with `access flows apply -f FILE`',
    });
  return JSON.parse(row.spec) as AccessFlow;
}
