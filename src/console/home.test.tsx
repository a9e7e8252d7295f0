import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { dialects } from '../../test/support/stores.js';
import { listRequests } from '../access/index.js';
import { transition } from '../access/requests.js';

describe.each(dialects)('the home page on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  async function twoRequests() {
    fixture = await consoleFixture(dialect);
    for (const namespace of ['payments', 'billing'])
      await fixture.post('alice', '/access/requests', {
        flow: 'oncall',
        cluster: 'prod',
        namespace,
        role: 'ClusterRole/edit',
        duration: '1h',
        reason: `work in ${namespace}`,
      });
    const requests = await listRequests(fixture.fresh.store);
    const billing = requests.find((request) => request.namespace === 'billing')!;
    // The reconciler's grant, without a cluster: the same store transition it makes.
    const now = new Date();
    await transition(
      fixture.fresh.store,
      billing.id,
      ['pending'],
      'active',
      { activated_at: now.toISOString(), expires_at: new Date(now.getTime() + 1_800_000).toISOString() },
      now,
    );
    return { fixture, requests };
  }

  it('shows an approver what waits for their decision', async () => {
    const { fixture } = await twoRequests();
    const page = await (await fixture.visit('bob', '/')).text();
    expect(page).toContain('Waiting for your decision (1)');
    expect(page).toMatch(/alice asks for .*<code>payments<\/code>/);
  });

  it('shows a requester their access with the time left, and activity on their own requests only', async () => {
    const { fixture } = await twoRequests();
    await fixture.post('erin', '/access/requests', {
      flow: 'oncall',
      cluster: 'prod',
      namespace: 'payments',
      role: 'ClusterRole/view',
      duration: '1h',
      reason: 'erin looks around',
    });
    const page = await (await fixture.visit('alice', '/')).text();
    expect(page).toContain('Waiting for your decision (0)');
    expect(page).toMatch(
      /<code>billing<\/code>.*badge-active.*class="countdown" data-expires-at="[^"]+">(29m|30m) \d+s left/,
    );
    expect(page).toContain('alice requested prod/billing/ClusterRole/edit');
    expect(page).not.toContain('erin requested');
  });

  it('shows an auditor the newest entries of the whole log', async () => {
    const { fixture } = await twoRequests();
    const page = await (await fixture.visit('dave', '/')).text();
    expect(page).toContain('setup access.flow-apply oncall');
    expect(page).toContain('alice requested prod/payments/ClusterRole/edit');
  });
});
