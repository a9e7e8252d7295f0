import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture, csrfOf } from '../../test/support/console-app.js';
import { dialects } from '../../test/support/stores.js';
import { listRequests } from '../access/index.js';

describe.each(dialects)('the requests page on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  const ask = (person: 'alice' | 'erin', fields: Record<string, string> = {}) =>
    fixture!.post(person, '/access/requests', {
      flow: 'oncall',
      cluster: 'prod',
      namespace: 'payments',
      role: 'ClusterRole/edit',
      duration: '1h',
      reason: `incident of ${person}`,
      ...fields,
    });

  it('sends a signed-out visitor to sign-in, remembering where they were going', async () => {
    fixture = await consoleFixture(dialect);
    const response = await fixture.visit(undefined, '/access/requests?flow=oncall');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent('/access/requests?flow=oncall')}`,
    );
  });

  it('offers only the flows, roles and durations the flows allow, in a form carrying the CSRF token', async () => {
    fixture = await consoleFixture(dialect);
    const page = await (await fixture.visit('erin', '/access/requests')).text();
    // erin is in devs: oncall only (creds names alice), so the form goes straight to it.
    expect(page).toContain(`name="_csrf" value="${csrfOf('erin')}"`);
    expect(page).toContain('value="oncall"');
    expect(page).not.toContain('value="creds"');
    expect(page).toContain('value="ClusterRole/edit"');
    expect(page).toContain('<option value="4h"');
    expect(page).not.toContain('<option value="8h"');
    const alice = await (await fixture.visit('alice', '/access/requests?flow=creds')).text();
    expect(alice).toContain('id="choose-flow"');
    expect(alice).toContain('<option value="2h"');
    expect(alice).not.toContain('<option value="4h"');
  });

  it('creates a request through the capability and shows a requester only their own requests', async () => {
    fixture = await consoleFixture(dialect);
    const created = await ask('alice');
    expect(created.status).toBe(303);
    const [request] = await listRequests(fixture.fresh.store);
    expect(created.headers.get('location')).toBe(`/access/requests/${request!.id}`);
    expect(request).toMatchObject({ requester: 'alice', state: 'pending', namespace: 'payments' });
    expect((await ask('erin')).status).toBe(303);
    const alicePage = await (await fixture.visit('alice', '/access/requests')).text();
    expect(alicePage).toContain(`/access/requests/${request!.id}`);
    expect(alicePage.match(/href="\/access\/requests\/[0-9a-f-]{36}"/g)).toHaveLength(1);
  });

  it('shows the server refusal next to the field it is about, keeping what was typed', async () => {
    fixture = await consoleFixture(dialect);
    const tooLong = await ask('alice', { duration: '5h', reason: 'keep <this> text' });
    expect(tooLong.status).toBe(400);
    const page = await tooLong.text();
    expect(page).toMatch(/id="duration-error"[^>]*>[^<]*longer than flow oncall allows/);
    expect(page).toContain('aria-describedby="duration-hint duration-error"');
    expect(page).toContain('keep &lt;this&gt; text');
    const outside = await ask('alice', { namespace: 'kube-system' });
    expect(await outside.text()).toMatch(
      /id="namespace-error"[^>]*>[^<]*namespace kube-system is not in flow oncall/,
    );
    const missing = await ask('alice', { cluster: '' });
    expect(await missing.text()).toMatch(/id="cluster-error"[^>]*>Choose a cluster/);
    expect(await listRequests(fixture.fresh.store)).toEqual([]);
  });

  it('says who may not use a flow above the form, with the capability refusal status', async () => {
    fixture = await consoleFixture(dialect);
    const refused = await ask('erin', { flow: 'creds', role: 'ClusterRole/view' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('erin may not request access through flow creds');
  });
});
