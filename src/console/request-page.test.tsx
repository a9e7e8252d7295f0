import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { dialects } from '../../test/support/stores.js';
import { getRequest, listRequests } from '../access/index.js';
import { transition } from '../access/requests.js';
import { listAudit } from '../audit/index.js';

describe.each(dialects)('a request page on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  async function requested(fields: Record<string, string> = {}) {
    fixture = await consoleFixture(dialect);
    const response = await fixture.post('alice', '/access/requests', {
      flow: 'oncall',
      cluster: 'prod',
      namespace: 'payments',
      role: 'ClusterRole/edit',
      duration: '1h',
      reason: 'incident 4711 <script>alert(1)</script>',
      ...fields,
    });
    expect(response.status).toBe(303);
    const [request] = await listRequests(fixture.fresh.store);
    return { fixture, request: request!, path: `/access/requests/${request!.id}` };
  }

  /** Stands in for the reconciler's grant (no cluster in unit tests): the same store transition it makes. */
  async function activate(id: string, minutes = 60) {
    const now = new Date();
    const expires = new Date(now.getTime() + minutes * 60_000).toISOString();
    await transition(
      fixture!.fresh.store,
      id,
      ['pending', 'approved'],
      'active',
      { activated_at: now.toISOString(), expires_at: expires },
      now,
    );
  }

  it('shows the approver the decision buttons and the requester none, escaping what the requester typed', async () => {
    const { fixture, path } = await requested();
    const bob = await (await fixture.visit('bob', path)).text();
    expect(bob).toContain(`action="${path}/approve"`);
    expect(bob).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(bob).not.toContain('<script>alert(1)');
    const alice = await (await fixture.visit('alice', path)).text();
    expect(alice).not.toContain(`${path}/approve`);
    expect(alice).toContain('Cancel request');
  });

  it('shows an auditor no approve button, and the capability refuses the approval they post anyway', async () => {
    const { fixture, request, path } = await requested();
    const page = await (await fixture.visit('dave', path)).text();
    expect(page).toContain('Nothing for you to do on this request.');
    expect(page).not.toContain('/approve');
    const refused = await fixture.post('dave', `${path}/approve`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('dave is not an approver of flow oncall');
    expect((await getRequest(fixture.fresh.store, request.id)).state).toBe('pending');
  });

  it('refuses the requester approving their own request, and records the attempt', async () => {
    const { fixture, request, path } = await requested();
    expect((await fixture.post('alice', `${path}/approve`)).status).toBe(403);
    expect((await getRequest(fixture.fresh.store, request.id)).state).toBe('pending');
    const attempts = await listAudit(fixture.fresh.store, { action: 'access.approve' });
    expect(attempts.map((entry) => entry.outcome)).toEqual(['denied']);
  });

  it('answers a request someone may not see as absent, for the page and every action', async () => {
    const { fixture, path } = await requested();
    expect((await fixture.visit('erin', path)).status).toBe(404);
    expect((await fixture.post('erin', `${path}/revoke`)).status).toBe(404);
    expect((await fixture.visit('erin', `${path}/events`)).status).toBe(404);
  });

  it('approves through the capability and shows the decision in the history from the audit log', async () => {
    const { fixture, request, path } = await requested();
    const approved = await fixture.post('bob', `${path}/approve`);
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toBe(`${path}?done=approve`);
    expect((await getRequest(fixture.fresh.store, request.id)).state).toBe('approved');
    const page = await (await fixture.visit('alice', `${path}?done=approve`)).text();
    expect(page).toContain('Your approval is recorded.');
    expect(page).toContain('alice requested prod/payments/ClusterRole/edit');
    expect(page).toMatch(
      /bob approved prod\/payments\/ClusterRole\/edit<\/td><td><span class="badge badge-approved">/,
    );
  });

  it('counts down active access, lets an approver extend it and the requester revoke it', async () => {
    const { fixture, request, path } = await requested();
    await activate(request.id);
    const alice = await (await fixture.visit('alice', path)).text();
    expect(alice).toMatch(/class="countdown" data-expires-at="[^"]+">(59m|1h 0m) \d+s left/);
    expect(alice).not.toContain(`${path}/extend`);
    const extended = await fixture.post('bob', `${path}/extend`, { duration: '30m' });
    expect(extended.status).toBe(303);
    const after = await getRequest(fixture.fresh.store, request.id);
    expect(Date.parse(after.expiresAt!) - Date.parse(after.activatedAt!)).toBeGreaterThan(89 * 60_000);
    expect(alice).toContain('Access details');
    expect(alice).toContain('kubectl auth can-i --list -n payments');
    expect(await (await fixture.visit('bob', path)).text()).not.toContain('Access details');
    expect((await fixture.post('alice', `${path}/revoke`)).status).toBe(303);
    expect((await getRequest(fixture.fresh.store, request.id)).state).toBe('revoked');
  });

  it('offers the kubeconfig download only on active credential access, and the capability refuses others', async () => {
    const { fixture, request, path } = await requested({ flow: 'creds', role: 'ClusterRole/view' });
    expect(await (await fixture.visit('alice', path)).text()).not.toContain('Download kubeconfig');
    await activate(request.id);
    const active = await (await fixture.visit('alice', path)).text();
    expect(active).toMatch(/id="request-use".*Download kubeconfig/s);
    expect(active).toContain(`gatehouse access credential ${request.id}`);
    expect(await (await fixture.visit('bob', path)).text()).not.toContain('Download kubeconfig');
    const refused = await fixture.post('bob', `${path}/credential`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain(`only alice may take the credential of ${request.id}`);
  });

  it('streams a change event with the request version, and another when the request changes', async () => {
    const { fixture, request, path } = await requested();
    const response = await fixture.visit('alice', `${path}/events`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (count: number) => {
      while ((text.match(/event: change/g) ?? []).length < count)
        text += decoder.decode((await reader.read()).value);
    };
    await readUntil(1);
    expect(text).toContain('data: pending|');
    await fixture.post('bob', `${path}/deny`);
    await readUntil(2);
    expect(text).toContain('data: denied|');
    await reader.cancel();
    expect((await getRequest(fixture.fresh.store, request.id)).state).toBe('denied');
  });
});
