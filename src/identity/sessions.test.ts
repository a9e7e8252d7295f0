import { afterEach, describe, expect, it } from 'vitest';
import { dialects, type FreshStore, freshStore } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { authenticateBearer } from './bearer.js';
import { cliChallenge, issueCliLoginCode, redeemCliLoginCode } from './cli-login.js';
import { createSession, endSession, hashSessionId, resolveSession } from './sessions.js';

const settings = { idleSeconds: 1800, absoluteSeconds: 12 * 3600 };
const alice = { subject: 'oidc:alice', groups: ['oidc:devs'], roles: [] } as const;
const t0 = new Date('2026-12-01T08:00:00.000Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe.each(dialects)('sessions on %s', (dialect) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => fresh?.cleanup());
  const open = async () => {
    fresh = await freshStore(dialect);
    return fresh.store;
  };

  it('keep only a hash of the session id, and give the principal back for the id', async () => {
    const store = await open();
    const { id, session } = await createSession(
      store,
      settings,
      { kind: 'browser', method: 'oidc', ...alice },
      t0,
    );
    const rows = await store.db.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).toBe(hashSessionId(id));
    expect(JSON.stringify(rows)).not.toContain(id);
    const found = await resolveSession(store, settings, id, { kind: 'browser', now: later(5) });
    expect(found).toMatchObject({
      session: {
        ref: session.ref,
        csrfToken: session.csrfToken,
        principal: { ...alice, authenticatedBy: { kind: 'session', sessionId: session.ref } },
      },
    });
    const audit = await listAudit(store);
    expect(audit.map((event) => [event.action, event.actor, event.details.session])).toEqual([
      ['auth.sign-in', 'oidc:alice', session.ref],
    ]);
  });

  it('slide the idle expiry with use, and end a session idle for 30 minutes or 12 hours old', async () => {
    const store = await open();
    const { id } = await createSession(store, settings, { kind: 'browser', method: 'oidc', ...alice }, t0);
    // Used every 20 minutes it lives on, until its absolute expiry.
    for (let minute = 20; minute < 12 * 60; minute += 20)
      expect(
        await resolveSession(store, settings, id, { kind: 'browser', now: later(minute) }),
      ).toHaveProperty('session');
    expect(await resolveSession(store, settings, id, { kind: 'browser', now: later(12 * 60) })).toEqual({
      refused: 'expired',
    });
    const idle = await createSession(store, settings, { kind: 'browser', method: 'oidc', ...alice }, t0);
    expect(await resolveSession(store, settings, idle.id, { kind: 'browser', now: later(31) })).toEqual({
      refused: 'idle',
    });
    // Ended sessions are gone, not merely refused.
    expect(await resolveSession(store, settings, idle.id, { kind: 'browser', now: later(1) })).toEqual({
      refused: 'unknown',
    });
  });

  it('refuse a tampered id, and a browser id used as a bearer token', async () => {
    const store = await open();
    const { id } = await createSession(store, settings, { kind: 'browser', method: 'oidc', ...alice }, t0);
    const tampered = `${id.slice(0, -2)}${id.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await resolveSession(store, settings, tampered, { kind: 'browser', now: t0 })).toEqual({
      refused: 'unknown',
    });
    expect(await resolveSession(store, settings, id, { kind: 'cli', now: t0 })).toEqual({
      refused: 'wrong-kind',
    });
    await expect(authenticateBearer(store, settings, id, t0)).rejects.toThrow(/not a bearer token/);
  });

  it('end at sign-out: the row is deleted and the sign-out audited', async () => {
    const store = await open();
    const { id, session } = await createSession(
      store,
      settings,
      { kind: 'cli', method: 'oidc', ...alice },
      t0,
    );
    expect(await authenticateBearer(store, settings, id, t0)).toMatchObject({ subject: 'oidc:alice' });
    expect(await endSession(store, { ref: session.ref, actor: 'oidc:alice', reason: 'sign-out' })).toBe(true);
    expect(await store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    await expect(authenticateBearer(store, settings, id, t0)).rejects.toThrow(/unknown or ended session/);
    expect((await listAudit(store)).map((event) => event.action)).toEqual(['auth.sign-in', 'auth.sign-out']);
  });

  it('hand a CLI login over only to the holder of the verifier, once', async () => {
    const store = await open();
    const verifier = 'v'.repeat(43);
    const code = await issueCliLoginCode(store, { identity: alice, challenge: cliChallenge(verifier) }, t0);
    await expect(redeemCliLoginCode(store, settings, { code, verifier: 'w'.repeat(43) }, t0)).rejects.toThrow(
      /not yours/,
    );
    // The wrong verifier used the code up: the right one comes too late.
    await expect(redeemCliLoginCode(store, settings, { code, verifier }, t0)).rejects.toThrow(/used/);
    const second = await issueCliLoginCode(store, { identity: alice, challenge: cliChallenge(verifier) }, t0);
    await expect(redeemCliLoginCode(store, settings, { code: second, verifier }, later(3))).rejects.toThrow(
      /expired/,
    );
    const third = await issueCliLoginCode(store, { identity: alice, challenge: cliChallenge(verifier) }, t0);
    const { id } = await redeemCliLoginCode(store, settings, { code: third, verifier }, later(1));
    expect(await authenticateBearer(store, settings, id, later(2))).toMatchObject({
      subject: 'oidc:alice',
      groups: ['oidc:devs'],
      authenticatedBy: { kind: 'session' },
    });
    await expect(redeemCliLoginCode(store, settings, { code: third, verifier }, later(1))).rejects.toThrow(
      /used/,
    );
  });
});
