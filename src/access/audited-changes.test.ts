import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit, verifyAudit } from '../audit/index.js';
import { saveFlows } from './flow-store.js';
import { parseFlowFile } from './flows.js';
import { listRequests } from './requests.js';

const writer = fileURLToPath(new URL('../../test/support/audited-changes.ts', import.meta.url));
const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: one}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann], required: 1}\n  maxDuration: 1h\n',
  'test',
);

function runWriter(options: object, count: number): Promise<{ operations: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', writer, JSON.stringify(options), String(count)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer exited ${code}: ${err}`)),
    );
  });
}

describe.each(dialects)('changes and their audit entries on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('keeps an audit entry for every change when two processes write 800 operations at once', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    await saveFlows(fresh.store, [flow!], 'admin');
    const results = await Promise.all([runWriter(fresh.options, 400), runWriter(fresh.options, 400)]);
    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expect(results.reduce((sum, result) => sum + result.operations, 0)).toBe(800);
    const requests = await listRequests(fresh.store);
    const events = await listAudit(fresh.store);
    const asked = new Set(events.filter((e) => e.action === 'access.request').map((e) => e.details.id));
    const approved = new Set(events.filter((e) => e.action === 'access.approve').map((e) => e.details.id));
    expect(requests).toHaveLength(400);
    expect(requests.filter((request) => !asked.has(request.id))).toEqual([]);
    expect(requests.filter((request) => request.state === 'approved' && !approved.has(request.id))).toEqual(
      [],
    );
    expect(asked.size).toBe(400);
    expect(approved.size).toBe(400);
    // 800 changes, plus the entry of the flow applied before them.
    expect(events.filter((e) => e.action === 'access.flow-apply')).toHaveLength(1);
    expect(await verifyAudit(fresh.store)).toMatchObject({ ok: true, checked: 801 });
  }, 180_000);
});
