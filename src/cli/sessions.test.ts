import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { type FreshStore, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { authenticateBearer, createSession } from '../identity/index.js';

const settings = { idleSeconds: 1800, absoluteSeconds: 3600 };

describe('gatehouse sessions', () => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());

  it('lists live sessions without their id, and revokes one by its ref so its token stops working', async () => {
    fresh = await freshStore('sqlite');
    const { id, session } = await createSession(fresh.store, settings, {
      kind: 'cli',
      method: 'oidc',
      subject: 'oidc:alice',
      groups: [],
      roles: [],
    });
    const env = { GATEHOUSE_HOME: fresh.options.dataDir };
    const listed = await cli(['sessions', 'list', '-o', 'json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(id);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { ref: session.ref, principal: { subject: 'oidc:alice' } },
    ]);
    const revoked = await cli(['sessions', 'revoke', session.ref.slice(0, 8)], env);
    expect(revoked).toMatchObject({
      code: 0,
      stdout: `session ${session.ref.slice(0, 8)} of oidc:alice revoked\n`,
    });
    await expect(authenticateBearer(fresh.store, settings, id)).rejects.toThrow(/unknown or ended/);
    expect((await listAudit(fresh.store)).at(-1)).toMatchObject({
      action: 'auth.session-revoke',
      target: 'oidc:alice',
    });
    expect((await cli(['sessions', 'revoke', session.ref], env)).code).toBe(5);
  });
});
