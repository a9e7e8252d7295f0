import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { parseDuration, parseFlowFile } from './flows.js';
import { createRequest, getRequest, resolveRequestId } from './requests.js';

const [flow] = parseFlowFile(
  'kind: AccessFlow\nmetadata: {name: f}\nspec:\n  requesters: {users: [rita]}\n  namespaces: [prod]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [ann]}\n  maxDuration: 1h\n',
  'test',
);

describe.each(dialects)('request ids on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('finds a request by its full id only, and resolves a typed prefix without wildcards', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const request = await createRequest(store, person('rita'), {
      flow: flow!,
      cluster: 'c',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds: 600,
      reason: 'incident 1',
    });
    expect((await getRequest(store, request.id)).id).toBe(request.id);
    for (const id of [request.id.slice(0, 8), '%', '_', ''])
      await expect(getRequest(store, id), id).rejects.toMatchObject({ code: 'not-found' });
    expect(await resolveRequestId(store, request.id.slice(0, 8))).toBe(request.id);
    for (const prefix of ['%', '_', '', `${request.id.slice(0, 4)}%`])
      await expect(resolveRequestId(store, prefix), prefix).rejects.toMatchObject({ code: 'input.invalid' });
  });
});

describe('durations', () => {
  it('refuses durations past 366 days and numbers too long to be exact, so no expiry can overflow', () => {
    expect(parseDuration('366d', 'x')).toBe(366 * 86_400);
    for (const text of ['367d', '99999999999d', `${'9'.repeat(400)}d`])
      expect(() => parseDuration(text, 'x'), text).toThrow(
        /x: .* (is longer than Gatehouse allows|is not a duration)/,
      );
  });
});
