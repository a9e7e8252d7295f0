import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { dialects } from '../../test/support/stores.js';
import { listRequests } from '../access/index.js';

describe.each(dialects)('the approvals page on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  async function pending() {
    fixture = await consoleFixture(dialect);
    await fixture.post('alice', '/access/requests', {
      flow: 'oncall',
      cluster: 'prod',
      namespace: 'billing',
      role: 'ClusterRole/edit',
      duration: '2h',
      reason: 'month-end billing run',
    });
    const [request] = await listRequests(fixture.fresh.store);
    return { fixture, request: request! };
  }

  it("lists a request for its flow's approver with approve and deny buttons", async () => {
    const { fixture, request } = await pending();
    const page = await (await fixture.visit('bob', '/access/approvals')).text();
    expect(page).toContain('month-end billing run');
    expect(page).toContain(`action="/access/requests/${request.id}/approve"`);
    expect(page).toContain(`action="/access/requests/${request.id}/deny"`);
  });

  it('shows what approving would grant, and says so when the role cannot be read from the cluster', async () => {
    const { fixture } = await pending();
    const page = await (await fixture.visit('bob', '/access/approvals')).text();
    expect(page).toContain('What approving would grant');
    expect(page).toContain('Grants User alice ClusterRole/edit in namespace billing');
    // The fixture's cluster answers on no port: the preview is an error value, not a broken page.
    expect(page).toMatch(/class="notice error">[^<]*127\.0\.0\.1:1/);
  });

  it('shows an auditor the pending request without any decision button', async () => {
    const { fixture, request } = await pending();
    const page = await (await fixture.visit('dave', '/access/approvals')).text();
    expect(page).toContain('Nothing is waiting for your decision.');
    expect(page).toContain(`href="/access/requests/${request.id}"`);
    expect(page).not.toContain('/approve"');
  });

  it('keeps a request out of the queue once the approver decided it', async () => {
    const { fixture, request } = await pending();
    await fixture.post('bob', `/access/requests/${request.id}/deny`);
    const page = await (await fixture.visit('bob', '/access/approvals')).text();
    expect(page).toContain('Nothing is waiting for your decision.');
    expect(page).not.toContain(request.id);
  });

  it('gives a requester with no approver role an empty queue and nobody else’s requests', async () => {
    const { fixture } = await pending();
    const page = await (await fixture.visit('erin', '/access/approvals')).text();
    expect(page).toContain('Nothing is waiting for your decision.');
    expect(page).not.toContain('month-end billing run');
  });
});
