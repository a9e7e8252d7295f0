import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { authenticate, createToken } from './api-tokens.js';

describe.each(dialects)('API tokens on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('authenticate a principal whose roles come from the token: admin tokens hold the admin role', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    const admin = await createToken(fresh.store, { user: 'root', admin: true, createdBy: 'test' });
    const plain = await createToken(fresh.store, { user: 'alice', groups: ['sre'], createdBy: 'test' });
    expect(await authenticate(fresh.store, admin.token)).toEqual({
      subject: 'root',
      groups: [],
      roles: ['admin'],
      authenticatedBy: { kind: 'api-token', tokenId: admin.id },
    });
    expect(await authenticate(fresh.store, plain.token)).toEqual({
      subject: 'alice',
      groups: ['sre'],
      roles: [],
      authenticatedBy: { kind: 'api-token', tokenId: plain.id },
    });
  });
});
