import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import type { Principal } from '../identity/index.js';
import { applyFlows } from './flow-apply.js';
import { parseFlowFile } from './flows.js';
import { createRequest } from './requests.js';
import { canSeeRequest, getVisibleRequest, listVisibleRequests } from './visibility.js';

const flows = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: prod}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {groups: [leads]}\n  maxDuration: 1h\n',
  'test',
);
const withRoles = (subject: string, roles: Principal['roles']): Principal => ({
  subject,
  groups: [],
  roles,
  authenticatedBy: { kind: 'api-token', tokenId: subject },
});
const admin = withRoles('root', ['admin']);

describe.each(dialects)('who sees and changes access on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function oneRequest() {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    await applyFlows(fresh.store, admin, flows);
    const request = await createRequest(fresh.store, person('rita'), {
      flow: flows[0]!,
      cluster: 'c',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds: 600,
      reason: 'incident 7',
    });
    return { store: fresh.store, request };
  }

  it('shows a request to its requester, its approvers, admins and auditors, and to no one else', async () => {
    const { store, request } = await oneRequest();
    const sees = (principal: Principal) => canSeeRequest(principal, request, flows[0]);
    expect(sees(person('rita'))).toBe(true);
    expect(sees(person('lena', ['leads']))).toBe(true);
    expect(sees(admin)).toBe(true);
    expect(sees(withRoles('audrey', ['auditor']))).toBe(true);
    expect(sees(person('eve'))).toBe(false);
    expect(sees(withRoles('rory', ['responder']))).toBe(false);
    expect(await listVisibleRequests(store, person('eve'))).toEqual([]);
    expect((await listVisibleRequests(store, withRoles('audrey', ['auditor']))).map((r) => r.id)).toEqual([
      request.id,
    ]);
  });

  it("answers someone else's request as it answers an id that does not exist", async () => {
    const { store, request } = await oneRequest();
    const hidden = await getVisibleRequest(store, person('eve'), request.id).catch((error: unknown) => error);
    const missing = await getVisibleRequest(store, person('eve'), 'no-such-id').catch(
      (error: unknown) => error,
    );
    expect(hidden).toMatchObject({ code: 'not-found', fix: (missing as { fix: string }).fix });
    expect((await getVisibleRequest(store, person('rita'), request.id)).id).toBe(request.id);
  });

  it('lets only admins apply flows, and names the door of an API change in its audit entry', async () => {
    const { store } = await oneRequest();
    await expect(applyFlows(store, withRoles('audrey', ['auditor']), flows)).rejects.toMatchObject({
      code: 'auth.forbidden',
      message: 'audrey may not change access flows',
    });
    const applies = (await listAudit(store)).filter((entry) => entry.action === 'access.flow-apply');
    expect(applies.map((entry) => [entry.actor, entry.details.via])).toEqual([['root', 'api']]);
  });
});
