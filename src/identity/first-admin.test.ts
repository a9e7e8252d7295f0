import { afterEach, describe, expect, it } from 'vitest';
import { dialects, type FreshStore, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { createToken } from './api-tokens.js';
import { issueFirstAdminLink, needsFirstAdmin, redeemFirstAdminLink } from './first-admin.js';
import { createSession, resolveSession } from './sessions.js';

const settings = { idleSeconds: 1800, absoluteSeconds: 12 * 3600 };
const t0 = new Date('2026-12-01T08:00:00.000Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

describe.each(dialects)('the first-admin link on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());
  const open = async () => {
    fresh = await freshStore(dialect);
    return fresh.store;
  };

  it('signs its holder in once as an admin, keeps only its hash, and audits both steps', async () => {
    const store = await open();
    const link = await issueFirstAdminLink(store, { publicUrl: 'http://127.0.0.1:8080/', now: t0 });
    expect(link?.url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/auth\/first-admin\?token=[\w-]{43}$/);
    const token = tokenOf(link!.url);
    expect(JSON.stringify(await store.db.selectFrom('one_time_codes').selectAll().execute())).not.toContain(
      token,
    );
    const { id } = await redeemFirstAdminLink(store, settings, token, later(14));
    const found = await resolveSession(store, settings, id, { kind: 'browser', now: later(15) });
    expect(found).toMatchObject({
      session: { method: 'first-admin', principal: { subject: 'local:first-admin', roles: ['admin'] } },
    });
    await expect(redeemFirstAdminLink(store, settings, token, later(14))).rejects.toThrow(
      /unknown, used or expired/,
    );
    expect((await listAudit(store)).map((event) => [event.action, event.target])).toEqual([
      ['auth.first-admin-link', 'local:first-admin'],
      ['auth.sign-in', 'local:first-admin'],
    ]);
    // Someone has signed in: no more links.
    expect(await issueFirstAdminLink(store, { publicUrl: 'http://x', now: later(20) })).toBeUndefined();
  });

  it('refuses a link after 15 minutes, and an older link once a new one is printed', async () => {
    const store = await open();
    const first = await issueFirstAdminLink(store, { publicUrl: 'http://x', subject: 'local:root', now: t0 });
    await expect(redeemFirstAdminLink(store, settings, tokenOf(first!.url), later(16))).rejects.toThrow(
      /expired/,
    );
    const second = await issueFirstAdminLink(store, { publicUrl: 'http://x', now: later(16) });
    const third = await issueFirstAdminLink(store, { publicUrl: 'http://x', now: later(17) });
    await expect(redeemFirstAdminLink(store, settings, tokenOf(second!.url), later(18))).rejects.toThrow(
      /unknown/,
    );
    await expect(
      redeemFirstAdminLink(store, settings, tokenOf(third!.url), later(18)),
    ).resolves.toHaveProperty('id');
  });

  it('is not offered once anyone signed in (even after their session ended) or an admin API token exists', async () => {
    const store = await open();
    expect(await needsFirstAdmin(store, t0)).toBe(true);
    const link = await issueFirstAdminLink(store, { publicUrl: 'http://x', now: t0 });
    const { session } = await createSession(
      store,
      settings,
      { kind: 'browser', method: 'oidc', subject: 'oidc:alice', groups: [], roles: [] },
      t0,
    );
    await store.db.deleteFrom('sessions').where('ref', '=', session.ref).execute();
    expect(await needsFirstAdmin(store, t0)).toBe(false);
    // A link printed before that sign-in no longer works either.
    await expect(redeemFirstAdminLink(store, settings, tokenOf(link!.url), later(1))).rejects.toThrow(
      /unknown/,
    );
    const other = await freshStore(dialect);
    try {
      await createToken(other.store, { user: 'root', admin: true, createdBy: 'test' });
      expect(await needsFirstAdmin(other.store)).toBe(false);
      expect(await issueFirstAdminLink(other.store, { publicUrl: 'http://x' })).toBeUndefined();
    } finally {
      await other.cleanup();
    }
  });
});
