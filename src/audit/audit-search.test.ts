import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { appendAudit } from './audit-log.js';
import { recentAudit } from './audit-search.js';

describe.each(dialects)('searching the audit log newest first on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('matches an action prefix and a mentioned value literally, never as a LIKE pattern', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const add = (action: string, id: string) =>
      appendAudit(fresh.store, { actor: 'a', action, target: 't', outcome: 'succeeded', details: { id } });
    await add('access.request', 'a_c');
    await add('access.request', 'abc');
    await add('accessXrequest', 'a%c');
    await add('forensics.exec', 'a_c');
    const found = await recentAudit(fresh.store, { actionPrefix: 'access.', mentioning: 'a_c', limit: 10 });
    expect(found.map((event) => [event.seq, event.details.id])).toEqual([[1, 'a_c']]);
    expect((await recentAudit(fresh.store, { mentioning: 'a%c', limit: 10 })).map((e) => e.seq)).toEqual([3]);
    expect(
      (await recentAudit(fresh.store, { actionPrefix: 'access.', limit: 10 })).map((e) => e.seq),
    ).toEqual([2, 1]);
    expect((await recentAudit(fresh.store, { limit: 2, beforeSeq: 4 })).map((e) => e.seq)).toEqual([3, 2]);
  });
});
