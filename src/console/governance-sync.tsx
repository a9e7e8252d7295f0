import type { Hono } from 'hono';
import { appendAudit, audited } from '../audit/index.js';
import { AppError } from '../errors.js';
import { hasRole, requireRole } from '../identity/index.js';
import { syncCluster } from '../inventory/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { type ConsoleContext, formFields, page, type Signed } from './http.js';
import type { ConsoleOptions } from './options.js';

const action = 'rbac.sync';

/**
 * "Sync now": reads the cluster as `gatehouse rbac sync` does and stores the run. Admins only; a
 * refusal is recorded as `denied`, a sync between `started` and its end, like every privileged act.
 */
async function syncNow(c: ConsoleContext, options: ConsoleOptions, signed: Signed): Promise<Response> {
  const fields = await formFields(c);
  const cluster = (fields.cluster ?? '').trim().slice(0, 253);
  const actor = signed.principal.subject;
  const target = `cluster/${cluster}`;
  if (!hasRole(signed.principal, 'admin')) {
    await appendAudit(options.store, { actor, action, target, outcome: 'denied', details: {} });
    requireRole(signed.principal, 'admin', 'sync a cluster');
  }
  if (!cluster)
    throw new AppError('input.invalid', 'which cluster to sync was not said', {
      fix: 'Use the Sync now button of a cluster on the Governance page',
    });
  const run = await audited(options.store, {
    actor,
    action,
    target,
    work: async () => {
      const client = await options.clientFor(cluster);
      // EKS clusters add their access entries and authentication mode, as in the CLI.
      const eks = await options.accessEntriesFor?.(cluster);
      return await syncCluster(options.store, client, eks ? { eks } : {});
    },
    succeeded: (run) => ({
      run: run.id,
      status: run.status,
      unread: run.errors.map((error) => error.resource),
    }),
  });
  return c.redirect(`/governance?synced=${encodeURIComponent(run.id)}`, 303);
}

export function mountSyncNow(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.post(
    '/governance/sync',
    page(options, (c, signed) => syncNow(c, options, signed)),
  );
}
