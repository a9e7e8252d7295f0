import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects, freshStore } from '../../test/support/stores.js';
import { type PolicyRule, ruleAllowsNonResource, ruleAllowsResource } from '../rbac/index.js';
import type { Store } from '../store/index.js';
import type { Permission } from './audit-event.js';
import { ruleAllows, unusedGrants } from './grants.js';
import { ingestAuditLog } from './ingest.js';
import { smallerRole } from './smaller-role.js';
import { auditLine } from './test-events.js';
import { type UsageAnswer, usageOf } from './usage-of.js';

const perm = (shape: Partial<Permission>): Permission => ({
  verb: 'get',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  namespace: 'dev',
  name: '',
  nonResourceUrl: '',
  ...shape,
});

/** The RBAC engine's answer: does any rule allow it (as the authorizer would, per request)? */
function engineAllows(rules: readonly PolicyRule[], permission: Permission): boolean {
  return rules.some((rule) =>
    permission.nonResourceUrl
      ? ruleAllowsNonResource(rule, { verb: permission.verb, path: permission.nonResourceUrl })
      : ruleAllowsResource(rule, {
          verb: permission.verb,
          group: permission.apiGroup,
          resource: permission.resource,
          subresource: permission.subresource,
          namespace: permission.namespace,
          name: permission.name,
        }),
  );
}

const role: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['pods', 'configmaps', 'services'],
    verbs: ['get', 'list', 'watch', 'delete'],
  },
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'update'], resourceNames: ['app-token', 'db'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
  { verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics*'] },
];

const used: Permission[] = [
  perm({ verb: 'get', resource: 'pods', name: 'web-1' }),
  perm({ verb: 'list', resource: 'pods' }),
  perm({ verb: 'list', resource: 'configmaps' }),
  perm({ verb: 'get', resource: 'configmaps', name: 'settings' }),
  perm({ verb: 'create', resource: 'pods', subresource: 'exec', name: 'web-1' }),
  perm({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'web' }),
  perm({ verb: 'get', resource: 'secrets', name: 'app-token' }),
  perm({ verb: 'update', resource: 'secrets', name: 'db' }),
  perm({ verb: 'get', nonResourceUrl: '/metrics/cadvisor', namespace: '' }),
  // Not in the role (granted elsewhere): must not leak into the smaller role.
  perm({ verb: 'delete', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', name: 'x' }),
];

describe('the smallest role that covers what was used', () => {
  const smaller = smallerRole(role, used);

  it('groups by API group and verbs, keeping names only where the role was limited to names', () => {
    expect(smaller).toEqual([
      { apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['app-token'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['update'], resourceNames: ['db'] },
      { verbs: ['get'], nonResourceURLs: ['/metrics/cadvisor'] },
    ]);
  });

  it('grants, by the RBAC engine, every use the role allowed', () => {
    for (const permission of used.filter((p) => engineAllows(role, p)))
      expect(engineAllows(smaller, permission), JSON.stringify(permission)).toBe(true);
  });

  it('grants, by the RBAC engine, nothing the original role did not', () => {
    const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
    const targets = [
      { apiGroup: '', resource: 'pods', subresource: '' },
      { apiGroup: '', resource: 'pods', subresource: 'exec' },
      { apiGroup: '', resource: 'configmaps', subresource: '' },
      { apiGroup: '', resource: 'secrets', subresource: '' },
      { apiGroup: 'apps', resource: 'deployments', subresource: '' },
      { apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', subresource: '' },
    ];
    const names = ['', 'web-1', 'app-token', 'db', 'x'];
    let checked = 0;
    for (const verb of verbs)
      for (const target of targets)
        for (const name of names) {
          const permission = perm({ verb, ...target, name });
          if (engineAllows(smaller, permission)) {
            expect(engineAllows(role, permission), JSON.stringify(permission)).toBe(true);
            checked++;
          }
        }
    expect(checked).toBeGreaterThan(10);
    expect(engineAllows(smaller, perm({ verb: 'update', resource: 'secrets', name: 'app-token' }))).toBe(
      false,
    );
  });

  it('applies a RoleBinding’s namespace: uses elsewhere neither count nor widen the role', () => {
    const scoped = smallerRole(
      role,
      [perm({ verb: 'list', namespace: 'dev' }), perm({ verb: 'delete', namespace: 'prod', name: 'a' })],
      {
        namespace: 'dev',
      },
    );
    expect(scoped).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
    expect(ruleAllows(role[0]!, perm({ namespace: 'prod' }), { namespace: 'dev' })).toBe(false);
  });
});

describe('rules never used', () => {
  const answer = (permissions: Permission[]): UsageAnswer => ({
    kind: 'known',
    cluster: 'prod',
    subject: 'user:alice',
    window: { since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' },
    evidence: { from: '2026-10-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', ingestions: 1 },
    complete: true,
    permissions: permissions.map((p, index) => ({
      ...p,
      firstUsed: `2026-11-0${index + 1}T00:00:00.000Z`,
      lastUsed: `2026-11-1${index}T00:00:00.000Z`,
      count: 1,
    })),
    seenWith: [],
  });

  it('lists the rules no recorded use touched, and when each used rule was last used', () => {
    const grants = unusedGrants(role, answer(used));
    expect(grants.kind).toBe('known');
    if (grants.kind !== 'known') return;
    expect(grants.unused.map((entry) => entry.index)).toEqual([4]);
    expect(grants.used.find((entry) => entry.index === 0)?.lastUsed).toBe('2026-11-13T00:00:00.000Z');
  });

  it('passes on "unknown" rather than calling everything unused', () => {
    expect(unusedGrants(role, { kind: 'unknown', reason: 'no audit log' })).toEqual({
      kind: 'unknown',
      reason: 'no audit log',
    });
  });
});

describe.each(dialects)('usage of a subject on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  let dir = '';
  afterEach(async () => {
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });
  async function seeded(): Promise<Store> {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-usage-'));
    const lines = [
      auditLine({
        user: 'alice',
        groups: ['devs', 'system:authenticated'],
        verb: 'list',
        at: '2026-11-20T10:00:00Z',
      }),
      auditLine({
        user: 'bob',
        groups: ['devs', 'system:authenticated'],
        verb: 'delete',
        name: 'web-1',
        at: '2026-11-21T10:00:00Z',
      }),
      auditLine({
        user: 'system:serviceaccount:payments:api',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:payments', 'system:authenticated'],
        verb: 'get',
        resource: 'secrets',
        namespace: 'payments',
        name: 'db',
        at: '2026-11-22T10:00:00Z',
      }),
      auditLine({
        user: 'arn:aws:sts::111122223333:assumed-role/Deployer/ci',
        groups: ['deployers', 'system:authenticated'],
        extra: { arn: ['arn:aws:sts::111122223333:assumed-role/Deployer/ci'] },
        verb: 'patch',
        apiGroup: 'apps',
        resource: 'deployments',
        name: 'web',
        at: '2026-11-23T10:00:00Z',
      }),
      auditLine({
        user: 'kwok-admin',
        groups: ['system:masters'],
        impersonate: { user: 'carol', groups: ['qa'] },
        verb: 'list',
        resource: 'nodes',
        namespace: '',
        at: '2026-11-24T10:00:00Z',
      }),
      auditLine({ user: 'alice', verb: 'get', resource: 'configmaps', at: '2026-10-01T10:00:00Z' }),
    ];
    writeFileSync(join(dir, 'audit.log'), `${lines.join('\n')}\n`);
    await ingestAuditLog(fresh.store, { cluster: 'prod', path: dir, actor: 'local:test' });
    return fresh.store;
  }
  const window = {
    cluster: 'prod',
    since: new Date('2026-11-01T00:00:00Z'),
    until: new Date('2026-12-01T00:00:00Z'),
  };
  const summary = (answer: UsageAnswer) =>
    answer.kind === 'known'
      ? answer.permissions.map((p) => `${p.verb} ${p.apiGroup}/${p.resource} ${p.namespace}/${p.name}`)
      : answer.reason;

  it('answers for a user, a group through its members, a ServiceAccount and an IAM role', async () => {
    const store = await seeded();
    expect(summary(await usageOf(store, { ...window, subject: { kind: 'user', name: 'alice' } }))).toEqual([
      'list /pods dev/',
    ]);
    expect(summary(await usageOf(store, { ...window, subject: { kind: 'group', name: 'devs' } }))).toEqual([
      'delete /pods dev/web-1',
      'list /pods dev/',
    ]);
    expect(
      summary(
        await usageOf(store, {
          ...window,
          subject: { kind: 'serviceaccount', namespace: 'payments', name: 'api' },
        }),
      ),
    ).toEqual(['get /secrets payments/db']);
    expect(
      summary(
        await usageOf(store, {
          ...window,
          subject: { kind: 'iam', arn: 'arn:aws:iam::111122223333:role/Deployer' },
        }),
      ),
    ).toEqual(['patch apps/deployments dev/web']);
    expect(summary(await usageOf(store, { ...window, subject: { kind: 'user', name: 'carol' } }))).toEqual([
      'list /nodes /',
    ]);
    expect(
      summary(await usageOf(store, { ...window, subject: { kind: 'user', name: 'kwok-admin' } })),
    ).toEqual(['impersonate /groups /qa', 'impersonate /users /carol']);
  });

  it('says which groups and ARNs came with a user, and which users with a group', async () => {
    const store = await seeded();
    const alice = await usageOf(store, { ...window, subject: { kind: 'user', name: 'alice' } });
    expect(alice.kind === 'known' && alice.seenWith).toEqual(['group:devs', 'group:system:authenticated']);
    const devs = await usageOf(store, { ...window, subject: { kind: 'group', name: 'devs' } });
    expect(devs.kind === 'known' && devs.seenWith).toEqual(['user:alice', 'user:bob']);
  });

  it('leaves out uses before the window and says whether the logs reach back to its start', async () => {
    const store = await seeded();
    const answer = await usageOf(store, { ...window, subject: { kind: 'user', name: 'alice' } });
    expect(answer).toMatchObject({
      kind: 'known',
      complete: true,
      evidence: { from: '2026-10-01T10:00:00.000Z', ingestions: 1 },
    });
    const early = await usageOf(store, {
      ...window,
      since: new Date('2026-09-01T00:00:00Z'),
      subject: { kind: 'user', name: 'alice' },
    });
    expect(early).toMatchObject({ kind: 'known', complete: false });
    expect(summary(early)).toEqual(['list /pods dev/', 'get /configmaps dev/']);
  });

  it('answers unknown, with the reason, where no ingested log covers the cluster or window', async () => {
    const store = await seeded();
    const otherCluster = await usageOf(store, {
      ...window,
      cluster: 'staging',
      subject: { kind: 'user', name: 'alice' },
    });
    expect(otherCluster).toEqual({
      kind: 'unknown',
      reason: expect.stringMatching(/no audit log of cluster "staging".*usage ingest/),
    });
    const later = await usageOf(store, {
      cluster: 'prod',
      since: new Date('2027-01-01T00:00:00Z'),
      until: new Date('2027-02-01T00:00:00Z'),
      subject: { kind: 'user', name: 'alice' },
    });
    expect(later).toEqual({
      kind: 'unknown',
      reason: expect.stringMatching(/span 2026-10-01.* to 2026-11-24.*outside/),
    });
  });
});
