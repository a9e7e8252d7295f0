import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { adminArn, governanceRead, hostileUser, storeSync } from '../../test/support/governance-sync.js';
import { dialects } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { type ClusterRead, countsOf, listSyncRuns, saveSyncRun, syncSource } from '../inventory/index.js';
import { findRisks } from '../rbac/index.js';
import { AccessPicture, pictureLimits, pictureModel } from './governance-picture.js';
import { filterRisks } from './governance-risks.js';

const escaped = (text: string) => text.replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Stores a run of `prod` from a read as given (pods, extra bindings), as a sync would. */
async function storeRead(fixture: ConsoleFixture, read: ClusterRead, at: string) {
  return await saveSyncRun(
    fixture.fresh.store,
    {
      cluster: 'prod',
      server: 'https://prod.example',
      startedAt: at,
      finishedAt: at,
      status: read.errors.length > 0 ? 'partial' : 'succeeded',
      counts: countsOf(read),
      resourceVersions: {},
      errors: read.errors,
    },
    read,
  );
}

describe.each(dialects)('the governance pages, part two, on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('lets an admin sync a cluster now, audited from start to end, and shows the run with what it could not read', async () => {
    fixture = await consoleFixture(dialect);
    const overview = await (await fixture.visit('carol', '/governance')).text();
    expect(overview).toContain('<h2>prod</h2>');
    expect(overview).toContain('Never synced.');
    expect(overview).toContain('<button type="submit">Sync now</button>');
    const posted = await fixture.post('carol', '/governance/sync', { cluster: 'prod' });
    expect(posted.status).toBe(303);
    const [run] = await listSyncRuns(fixture.fresh.store, 'prod');
    // The fixture's prod answers nothing: every list is named as unread, and the run is failed.
    expect(run?.status).toBe('failed');
    expect(posted.headers.get('location')).toBe(`/governance?synced=${run!.id}`);
    const shown = await (await fixture.visit('carol', posted.headers.get('location')!)).text();
    expect(shown).toContain(`Synced prod: run ${run!.id.slice(0, 8)}, failed.`);
    expect(shown).toContain('could not read rolebindings.rbac.authorization.k8s.io:');
    expect(shown).toContain('failed (no RBAC read; queries skip it)');
    const audit = await listAudit(fixture.fresh.store, { action: 'rbac.sync' });
    expect(audit.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual([
      ['carol', 'started', 'cluster/prod'],
      ['carol', 'succeeded', 'cluster/prod'],
    ]);
    expect(audit[1]?.details).toMatchObject({ run: run!.id, status: 'failed' });
  });

  it('records a sync of a cluster Gatehouse does not know as failed, with the cause on the page', async () => {
    fixture = await consoleFixture(dialect);
    const posted = await fixture.post('carol', '/governance/sync', { cluster: 'nowhere' });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain('no context nowhere in the kubeconfig');
    const audit = await listAudit(fixture.fresh.store, { action: 'rbac.sync' });
    expect(audit.map((entry) => entry.outcome)).toEqual(['started', 'failed']);
  });

  it('shows an auditor no sync button and refuses a sync posted anyway, audited as denied', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    const overview = await (await fixture.visit('dave', '/governance')).text();
    expect(overview).not.toContain('Sync now');
    expect(overview).toContain('Only administrators can sync');
    const forged = await fixture.post('dave', '/governance/sync', { cluster: 'prod' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('dave may not sync a cluster');
    const alice = await fixture.post('alice', '/governance/sync', { cluster: 'prod' });
    expect(alice.status).toBe(403);
    expect(await listSyncRuns(fixture.fresh.store, 'prod')).toHaveLength(1);
    const audit = await listAudit(fixture.fresh.store, { action: 'rbac.sync' });
    expect(audit.map((entry) => [entry.actor, entry.outcome])).toEqual([
      ['dave', 'denied'],
      ['alice', 'denied'],
    ]);
    const noToken = await fixture.post('carol', '/governance/sync', { cluster: 'prod', _csrf: 'forged' });
    expect(noToken.status).toBe(403);
  });

  it('filters risks by severity, check and namespace, each finding with the path that gives it', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    const source = await syncSource(fixture.fresh.store, 'prod');
    const engine = findRisks(source.index, { awsAuth: source.awsAuth! });
    const all = await (await fixture.visit('dave', '/governance/risks')).text();
    expect(all).toContain(`${engine.length} findings, most severe first.`);
    expect(all).toContain('<code>ClusterRoleBinding payments-admins → ClusterRole everything → * */*</code>');
    expect(all).toContain(escaped(hostileUser));
    expect(all).not.toContain('<img');
    expect(all).toContain('<option value="pod-exec">pod-exec (3)</option>');
    const critical = await (await fixture.visit('dave', '/governance/risks?severity=critical')).text();
    expect(filterRisks(engine, { severity: 'critical', includeDefaults: false })).toHaveLength(1);
    expect(critical).toContain('1 finding, most severe first.');
    expect(critical).not.toContain('pods/exec');
    const exec = await (
      await fixture.visit('dave', '/governance/risks?check=pod-exec&namespace=payments')
    ).text();
    expect(exec).toContain('3 findings');
    expect(exec).not.toContain('payments-admins →');
    const clusterWide = await (await fixture.visit('dave', '/governance/risks?namespace=cluster')).text();
    expect(clusterWide).toContain('1 finding,');
    expect(clusterWide).toContain('cluster-wide');
    const elsewhere = await (await fixture.visit('dave', '/governance/risks?namespace=billing')).text();
    expect(elsewhere).toContain('No finding matches.');
    const wrong = await fixture.visit('dave', '/governance/risks?severity=dire');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('unknown severity');
  });

  it('shows what changed between the last two syncs by default, and between any two picked', async () => {
    fixture = await consoleFixture(dialect);
    const base = governanceRead();
    const first = await storeRead(fixture, base, '2026-12-01T05:00:00.000Z');
    const widened: ClusterRead = {
      ...base,
      roleBindings: [
        ...base.roleBindings,
        {
          kind: 'RoleBinding',
          metadata: { name: 'read-pods-ci', namespace: 'payments' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
          subjects: [{ kind: 'User', name: 'ci-bot', apiGroup: 'rbac.authorization.k8s.io' }],
        },
      ],
    };
    const second = await storeRead(fixture, widened, '2026-12-01T06:00:00.000Z');
    const latest = await (await fixture.visit('dave', '/governance/diff')).text();
    expect(latest).toContain('Added (1 grant)');
    expect(latest).toContain('Removed (0 grants)');
    expect(latest).toContain('href="/governance/subjects/user/ci-bot?cluster=prod"');
    expect(latest).toContain('RoleBinding &quot;payments/read-pods-ci&quot; → Role &quot;pod-reader&quot;');
    expect(latest).toContain(`<option value="${second.id}" selected="">`);
    const reversed = await (
      await fixture.visit('dave', `/governance/diff?cluster=prod&from=${second.id}&to=${first.id}`)
    ).text();
    expect(reversed).toContain('Added (0 grants)');
    expect(reversed).toContain('Removed (1 grant)');
    const unknown = await fixture.visit('dave', '/governance/diff?cluster=prod&from=feedface');
    expect(unknown.status).toBe(404);
  });

  it('says what changed cannot be shown with a single sync', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    const one = await fixture.visit('dave', '/governance/diff');
    expect(one.status).toBe(404);
    expect(await one.text()).toContain('what changed needs two usable sync runs of prod');
  });

  it('lists the pods that run as a service account, or says plainly that pods were not synced or not readable', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T04:00:00.000Z' });
    const before = await (await fixture.visit('dave', '/governance/subjects/sa/payments/api')).text();
    expect(before).toContain('Pods were not synced in this run');
    const pods = [
      { metadata: { name: 'api-7d9f', namespace: 'payments' }, spec: { serviceAccountName: 'api' } },
      { metadata: { name: 'api-x2k1', namespace: 'payments' }, spec: { serviceAccountName: 'api' } },
      { metadata: { name: 'worker', namespace: 'payments' }, spec: { serviceAccountName: 'default' } },
      { metadata: { name: 'api-elsewhere', namespace: 'billing' }, spec: { serviceAccountName: 'api' } },
    ];
    await storeRead(fixture, { ...governanceRead(), pods }, '2026-12-01T05:00:00.000Z');
    const synced = await (await fixture.visit('dave', '/governance/subjects/sa/payments/api')).text();
    expect(synced).toContain('<code>api-7d9f</code>');
    expect(synced).toContain('<code>api-x2k1</code>');
    expect(synced).not.toContain('worker');
    expect(synced).not.toContain('api-elsewhere');
    const none = await (await fixture.visit('dave', '/governance/subjects/sa/payments/idle')).text();
    expect(none).toContain('No pod ran as ServiceAccount payments/idle when the cluster was synced.');
    const unread = [{ resource: 'pods', code: 'auth.forbidden', message: 'pods is forbidden' }];
    await storeRead(fixture, governanceRead(unread), '2026-12-01T06:00:00.000Z');
    const refused = await (await fixture.visit('dave', '/governance/subjects/sa/payments/api')).text();
    expect(refused).toContain('The sync could not read pods: pods is forbidden');
  });

  it('lists the IAM principals that aws-auth and EKS access entries map onto each subject, with where each mapping is', async () => {
    fixture = await consoleFixture(dialect);
    const base = governanceRead();
    const builderArn = 'arn:aws:iam::111122223333:role/Builder';
    const read: ClusterRead = {
      ...base,
      eks: {
        authenticationMode: 'API_AND_CONFIG_MAP',
        accessEntries: [
          ...(base.eks?.accessEntries ?? []),
          { principalArn: builderArn, type: 'STANDARD', kubernetesGroups: ['devs'], policies: [] },
        ],
      },
    };
    await storeRead(fixture, read, '2026-12-01T05:00:00.000Z');
    const text = await (
      await fixture.visit(
        'dave',
        '/governance/who-can?verb=create&resource=pods&subresource=exec&namespace=payments',
      )
    ).text();
    expect(text).toContain(
      `<a href="/governance/subjects/iam/${encodeURIComponent(builderArn)}?cluster=prod">${builderArn}</a> <span class="muted">(access entry)</span>`,
    );
    expect(text).toContain(`${adminArn}</a> <span class="muted">(aws-auth mapRoles[0])</span>`);
    const devs = await (await fixture.visit('dave', '/governance/subjects/group/devs')).text();
    expect(devs).toContain(`${builderArn}</a> <span class="muted">(access entry)</span>`);
    const builder = await (
      await fixture.visit('dave', `/governance/subjects/iam/${encodeURIComponent(builderArn)}`)
    ).text();
    expect(builder).toContain('<dd>EKS access entry</dd>');
    expect(builder).toContain('RoleBinding/payments/exec-for-devs');
  });

  it("draws a subject's access as inline SVG with hostile names as text, and no script or style", async () => {
    fixture = await consoleFixture(dialect);
    const base = governanceRead();
    const hostileBinding = '"><script>alert(2)</script>';
    const read: ClusterRead = {
      ...base,
      roleBindings: [
        ...base.roleBindings,
        {
          kind: 'RoleBinding',
          metadata: { name: hostileBinding, namespace: 'payments' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
          subjects: [{ kind: 'User', name: hostileUser, apiGroup: 'rbac.authorization.k8s.io' }],
        },
      ],
    };
    await storeRead(fixture, read, '2026-12-01T05:00:00.000Z');
    const response = await fixture.visit(
      'dave',
      `/governance/subjects/user/${encodeURIComponent(hostileUser)}`,
    );
    const text = await response.text();
    const svg = text.slice(text.indexOf('<svg'), text.indexOf('</svg>') + 6);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('RoleBinding/payments/exec-for-devs');
    expect(svg).toContain('ClusterRole/pod-exec');
    expect(svg).toContain('create core/pods/exec');
    expect(svg).toContain(escaped('<img src=x onerror=alert(1)>'));
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toMatch(/<script|<img|<style|style=|onerror=alert\(1\)>/);
    expect(svg).not.toContain('on' + 'load');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('the picture of one subject', () => {
  const entry = (binding: number, role: number, verb: string) => ({
    namespace: `team-${binding}`,
    rule: { verbs: [verb], apiGroups: [''], resources: ['pods'] },
    binding: `RoleBinding/team-${binding}/b-${binding}`,
    role: `ClusterRole/role-${role}`,
    through: 'User alice',
  });

  it('draws at most 12 bindings and says how many bindings, roles and rules it left out', () => {
    const entries = Array.from({ length: 30 }, (_, at) => [
      entry(at, at % 15, 'get'),
      entry(at, at % 15, 'list'),
    ]).flat();
    const model = pictureModel({ kind: 'User', name: 'alice' }, entries);
    expect(model.bindings).toHaveLength(pictureLimits.bindings);
    expect(model.roles).toHaveLength(12);
    expect(model.rules).toHaveLength(24);
    expect(model.hidden).toEqual({ bindings: 18, roles: 3, rules: 6 });
    const text = (<AccessPicture model={model} />).toString();
    expect(text).toContain('Not drawn: 18 bindings, 3 roles, 6 rules; the tables below list them all.');
    expect(text.match(/<rect /g)).toHaveLength(1 + 12 + 12 + 24);
  });

  it('cuts long names to fit their box and keeps the whole name as its title', () => {
    const long = `RoleBinding/payments/${'very-long-binding-name-'.repeat(4)}`;
    const model = pictureModel({ kind: 'User', name: 'alice' }, [{ ...entry(1, 1, 'get'), binding: long }]);
    expect(model.bindings[0]?.kind).toBe('RoleBinding');
    expect(model.bindings[0]?.label).toHaveLength(29);
    expect(model.bindings[0]?.label.endsWith('…')).toBe(true);
    const text = (<AccessPicture model={model} />).toString();
    expect(text).toContain(`<title>${long}</title>`);
    expect(text).toContain('Every grant is drawn');
  });
});
