import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { adminArn, hostileUser, storeSync, viewerArn } from '../../test/support/governance-sync.js';
import { dialects } from '../../test/support/stores.js';
import { scopedSource, syncSource } from '../inventory/index.js';
import { effectivePermissions, identityOf, parseTarget, whoCan } from '../rbac/index.js';
import { whoCanRows } from './who-can-rows.js';

const unreadable = [
  { resource: 'roles.rbac.authorization.k8s.io', code: 'auth.forbidden', message: 'roles is forbidden' },
];

describe.each(dialects)('the governance pages on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('are refused to someone who is neither auditor nor admin', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    for (const path of [
      '/governance',
      '/governance/who-can?verb=get&resource=pods',
      '/governance/subjects/group/devs',
    ]) {
      const response = await fixture.visit('alice', path);
      expect(response.status, path).toBe(403);
      expect(await response.text(), path).toContain('alice may not see access governance');
    }
  });

  it('lists each cluster with its syncs, and marks an incomplete one with what it could not read', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    await storeSync(fixture.fresh.store, {
      cluster: 'prod',
      at: '2026-12-01T06:00:00.000Z',
      errors: unreadable,
    });
    await storeSync(fixture.fresh.store, { cluster: 'staging', at: '2026-11-30T05:00:00.000Z' });
    const text = await (await fixture.visit('dave', '/governance')).text();
    expect(text).toContain('<h2>prod</h2>');
    expect(text).toContain('<h2>staging</h2>');
    expect(text).toContain('2026-12-01 06:00 UTC');
    expect(text).toContain('2026-12-01 05:00 UTC');
    expect(text).toContain('incomplete');
    expect(text).toContain('could not read roles.rbac.authorization.k8s.io: roles is forbidden');
    expect(text).toContain('<td>3</td>');
    const form = await (await fixture.visit('dave', '/governance/who-can')).text();
    expect(form).toContain('<option value="prod" selected="">prod</option>');
    expect(form).toContain('<option value="staging">staging</option>');
  });

  it('answers who can exactly as the engine does for the same query, with each path and the IAM principals', async () => {
    fixture = await consoleFixture(dialect);
    const run = await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    const source = await syncSource(fixture.fresh.store, 'prod');
    const parsed = parseTarget('pods', { subresource: 'exec', namespace: 'payments' });
    const engine = whoCan(source.index, {
      kind: 'resource',
      attributes: { ...parsed.attributes.resource!, verb: 'create' },
      allNamespaces: false,
    });
    // The page reads only the namespace's bindings (and the cluster's): the same answer as the whole sync.
    const scoped = await scopedSource(fixture.fresh.store, {
      cluster: 'prod',
      scope: { kind: 'namespace', namespace: 'payments' },
    });
    const rows = whoCanRows(scoped, {
      verb: 'create',
      resource: 'pods',
      subresource: 'exec',
      namespace: 'payments',
    });
    const sorted = (grants: readonly unknown[]) => grants.map((grant) => JSON.stringify(grant)).sort();
    expect(sorted(rows.rows.map((row) => row.grant))).toEqual(sorted(engine));
    expect(engine.map((grant) => grant.subject.name).sort()).toEqual(
      ['api', 'devs', hostileUser, 'payments-admins', 'system:masters'].sort(),
    );

    const page = await fixture.visit(
      'dave',
      `/governance/who-can?verb=create&resource=pods&subresource=exec&namespace=payments&cluster=prod`,
    );
    expect(page.status).toBe(200);
    const text = await page.text();
    for (const grant of engine)
      expect(text).toContain(grant.subject.name.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')));
    expect(text).not.toContain('<img src=x');
    expect(text).toContain(
      '<code>RoleBinding payments/exec-for-devs</code> → <code>ClusterRole pod-exec</code> → <code>',
    );
    expect(text).toContain('ClusterRoleBinding payments-admins</code> → <code>ClusterRole everything</code>');
    expect(text).toContain(adminArn);
    expect(text).toContain('superuser, no binding needed');
    expect(text).toContain(`href="/governance/subjects/sa/payments/api?cluster=prod"`);
    expect(text).toContain(`sync ${run.id.slice(0, 8)} of prod`);
    const nobody = await (
      await fixture.visit('dave', '/governance/who-can?verb=delete&resource=secrets&namespace=payments')
    ).text();
    expect(nobody).not.toContain('devs');
    const viewers = await (
      await fixture.visit('dave', '/governance/who-can?verb=get&resource=pods&namespace=payments')
    ).text();
    expect(viewers).toContain('EKS access entry → access policy AmazonEKSViewPolicy');
    expect(viewers).toContain(
      `href="/governance/subjects/iam/${encodeURIComponent(viewerArn)}?cluster=prod"`,
    );
    const viewer = await (
      await fixture.visit('dave', `/governance/subjects/iam/${encodeURIComponent(viewerArn)}`)
    ).text();
    expect(viewer).toContain('AccessPolicy/AmazonEKSViewPolicy');
  });

  it("shows a subject's permissions grouped by namespace, as the engine computes them", async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    const source = await syncSource(fixture.fresh.store, 'prod');
    const engine = effectivePermissions(source.index, identityOf({ kind: 'group', name: 'devs' }));
    const text = await (await fixture.visit('carol', '/governance/subjects/group/devs?cluster=prod')).text();
    expect(text).toContain('<h2>Namespace payments</h2>');
    expect(text).not.toContain('Cluster-wide');
    for (const entry of engine.entries)
      expect(text).toContain(`<code>${entry.binding}</code> → <code>${entry.role}</code> → <code>`);
    expect(engine.entries).toHaveLength(2);
    const sa = await (await fixture.visit('carol', '/governance/subjects/sa/payments/api')).text();
    expect(sa).toContain('<code>RoleBinding/payments/exec-for-devs</code>');
    expect(sa).toContain('ServiceAccount payments/api');
    const hostile = await (
      await fixture.visit('carol', `/governance/subjects/user/${encodeURIComponent(hostileUser)}`)
    ).text();
    expect(hostile).toContain('User &lt;img src=x onerror=alert(1)&gt;');
    expect(hostile).not.toContain('<img');
    const admins = await (await fixture.visit('carol', '/governance/subjects/group/payments-admins')).text();
    expect(admins).toContain('<h2>Cluster-wide</h2>');
    expect(admins).toContain('IAM principals mapped onto it');
    expect(admins).toContain(`${adminArn}</a> <span class="muted">(aws-auth mapRoles[0])</span>`);
    const iam = await (
      await fixture.visit('carol', `/governance/subjects/iam/${encodeURIComponent(adminArn)}`)
    ).text();
    expect(iam).toContain(
      '<dt>Kubernetes user</dt><dd><code>admin</code></dd><dt>Groups</dt><dd>payments-admins</dd>',
    );
    expect(iam).toContain('<dd>aws-auth mapRoles in kube-system/aws-auth</dd>');
    expect(iam).toContain('ClusterRoleBinding/payments-admins');
  });

  it('says an answer comes from an incomplete sync, and what it could not read', async () => {
    fixture = await consoleFixture(dialect);
    await storeSync(fixture.fresh.store, {
      cluster: 'prod',
      at: '2026-12-01T05:00:00.000Z',
      errors: unreadable,
    });
    for (const path of ['/governance/who-can?verb=get&resource=pods', '/governance/subjects/user/bob']) {
      const text = await (await fixture.visit('dave', path)).text();
      expect(text, path).toContain('This sync is incomplete: the answer may miss grants.');
      expect(text, path).toContain('incomplete: roles is forbidden');
    }
  });

  it('explains a question it cannot answer: no sync, or an unknown subject kind', async () => {
    fixture = await consoleFixture(dialect);
    const none = await fixture.visit('dave', '/governance/who-can?verb=get&resource=pods');
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('no cluster has a stored RBAC sync yet');
    await storeSync(fixture.fresh.store, { cluster: 'prod', at: '2026-12-01T05:00:00.000Z' });
    const unknown = await fixture.visit('dave', '/governance/subjects/robot/r2d2');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('unknown subject');
  });
});
