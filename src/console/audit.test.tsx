import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { dialects } from '../../test/support/stores.js';
import { sinceInstant } from './audit.js';

describe.each(dialects)('the audit page on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('is refused to someone who is neither auditor nor admin', async () => {
    fixture = await consoleFixture(dialect);
    const response = await fixture.visit('alice', '/audit');
    expect(response.status).toBe(403);
    const page = await response.text();
    expect(page).toContain('alice may not read the audit log');
    // Back leads away from the refusal, not to the same refused page.
    expect(page).toContain('<a href="/">Back</a>');
  });

  it('shows an auditor the entries, filtered by actor and action, and that the chain verifies', async () => {
    fixture = await consoleFixture(dialect);
    await fixture.post('alice', '/access/requests', {
      flow: 'oncall',
      cluster: 'prod',
      namespace: 'payments',
      role: 'ClusterRole/edit',
      duration: '1h',
      reason: 'checking the payments queue',
    });
    const all = await (await fixture.visit('dave', '/audit')).text();
    expect(all).toContain('The audit chain verifies.');
    expect(all).toContain('<code>access.request</code>');
    expect(all).toContain('<td>setup</td>');
    const alice = await (await fixture.visit('dave', '/audit?actor=alice')).text();
    expect(alice).toContain('<code>access.request</code>');
    expect(alice).not.toContain('<td>setup</td>');
    const none = await (await fixture.visit('dave', '/audit?action=access.approve')).text();
    expect(none).toContain('No audit entries match.');
    const future = await (await fixture.visit('dave', '/audit?since=2999-01-01')).text();
    expect(future).toContain('No audit entries match.');
  });

  it('explains a since value that is not a date', async () => {
    fixture = await consoleFixture(dialect);
    const response = await fixture.visit('dave', '/audit?since=yesterday');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('&quot;yesterday&quot; is not a date');
  });
});

describe('a since filter', () => {
  it('reads dates and date-times as UTC', () => {
    expect(sinceInstant('2026-12-01')).toBe('2026-12-01T00:00:00.000Z');
    expect(sinceInstant('2026-12-01T05:30')).toBe('2026-12-01T05:30:00.000Z');
    expect(() => sinceInstant('12/01/2026')).toThrow('is not a date');
  });
});
