import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { governanceRead } from '../../test/support/governance-sync.js';
import { dialects } from '../../test/support/stores.js';
import { type ClusterRead, countsOf, saveSyncRun } from '../inventory/index.js';

/** 1,200 users each allowed to exec into pods of their own namespace: 1,200 pod-exec findings. */
function crowdedRead(): ClusterRead {
  const base = governanceRead();
  const roleBindings: ClusterRead['roleBindings'] = Array.from({ length: 1200 }, (_, n) => ({
    kind: 'RoleBinding',
    metadata: { name: `exec-${n}`, namespace: `team-${n % 40}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'crowd-exec' },
    subjects: [
      { kind: 'User', name: `crowd-${String(n).padStart(4, '0')}`, apiGroup: 'rbac.authorization.k8s.io' },
    ],
  }));
  return {
    ...base,
    clusterRoles: [
      ...base.clusterRoles,
      {
        kind: 'ClusterRole',
        metadata: { name: 'crowd-exec' },
        rules: [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }],
      },
    ],
    roleBindings: [...base.roleBindings, ...roleBindings],
  };
}

describe.each(dialects)('the risks page on many findings, on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('pages the findings with the filters kept, and shows the last page for a page past it', async () => {
    fixture = await consoleFixture(dialect);
    const read = crowdedRead();
    const at = '2026-12-01T05:00:00.000Z';
    await saveSyncRun(
      fixture.fresh.store,
      {
        cluster: 'prod',
        server: 'https://prod.example',
        startedAt: at,
        finishedAt: at,
        status: 'succeeded',
        counts: countsOf(read),
        resourceVersions: {},
        errors: [],
      },
      read,
    );
    const first = await (
      await fixture.visit('dave', '/governance/risks?check=pod-exec&namespace=team-3')
    ).text();
    expect(first).toContain('30 findings, most severe first.');
    expect(first).not.toContain('Page 1 of');
    const all = await (await fixture.visit('dave', '/governance/risks?check=pod-exec')).text();
    const total = Number(/(\d+) findings, most severe first; 1 to 500 are shown/.exec(all)?.[1]);
    expect(total).toBeGreaterThanOrEqual(1200);
    const pages = Math.ceil(total / 500);
    expect(all).toContain(`Page 1 of ${pages}`);
    expect(all).toContain('href="/governance/risks?check=pod-exec&amp;page=2"');
    const last = await (await fixture.visit('dave', `/governance/risks?check=pod-exec&page=${pages}`)).text();
    expect(last).toContain(`${1000 + 1} to ${total} are shown`);
    expect(last).toContain(`href="/governance/risks?check=pod-exec&amp;page=${pages - 1}"`);
    expect(last).not.toContain('>Next<');
    // Each finding appears on exactly one page.
    const users = (page: string) => [...page.matchAll(/User crowd-(\d{4})/g)].map((match) => match[1]);
    const middle = await (await fixture.visit('dave', '/governance/risks?check=pod-exec&page=2')).text();
    const seen = [...users(all), ...users(middle), ...users(last)];
    expect(new Set(seen).size).toBe(1200);
    const past = await fixture.visit('dave', '/governance/risks?page=99999999');
    expect(past.status).toBe(200);
    const pastText = await past.text();
    expect(pastText).toMatch(/Page (\d+) of \1 /);
    expect(pastText).toContain(' to ');
  });
});
