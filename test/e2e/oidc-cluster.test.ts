import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig, subjectCan, whoAmI } from '../../src/kube/index.js';
import { listOwnedBindings, removeOwnedBinding } from '../../src/provisioning/index.js';
import { defaultClients, type OidcProvider, startOidcProvider } from '../../testcluster/oidc/index.js';
import { cli } from '../support/cli.js';
import { tokenKubeconfig } from '../support/kubectl.js';

// People sign in to the test OpenID Provider; the test cluster's kube-apiserver trusts the same
// issuer (testcluster/oidc, --authentication-config), so an ID token is a Kubernetes identity.

const kubeconfig = inject('kubeconfig');
const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
const cluster = admin.context;
const env = { GATEHOUSE_HOME: join(tmpdir(), `gatehouse-oidc-${process.pid}`) };
const otherApp = {
  clientId: 'other-app',
  redirectUris: ['http://127.0.0.1/callback'],
  anyLoopbackPort: true,
};
let op: OidcProvider;

/** A kubeconfig holding the person's ID token, as kubectl with an OIDC plugin would send it. */
async function signedIn(username: string, clientId = 'kubernetes'): Promise<string> {
  const { idToken } = await op.tokensFor({ username, clientId });
  return tokenKubeconfig(admin.kubeConfig, idToken, `oidc-${username}`);
}

const clientOf = (config: string) => new KubeClient(loadKubeconfig({ path: config }).config);
const as = (config: string, ...args: string[]) => cli(['--kubeconfig', config, ...args], env);

const alicePods = {
  user: 'oidc:alice',
  groups: ['oidc:devs', 'system:authenticated'],
  resourceAttributes: { namespace: 'payments', verb: 'list', resource: 'pods' },
};

beforeAll(async () => {
  op = await startOidcProvider({
    users: { alice: { groups: ['devs'] }, bob: { groups: ['approvers'] } },
    clients: [...defaultClients, otherApp],
  });
  // The apiserver fetches discovery lazily and retries every 10 s until the provider answers.
  const alice = clientOf(await signedIn('alice'));
  for (let attempt = 0; ; attempt++) {
    try {
      await whoAmI(alice);
      break;
    } catch (error) {
      if (attempt >= 60)
        throw new Error(
          `the cluster refuses ID tokens from ${op.issuer} after 30 s: it was not started trusting the test OpenID Provider; restart it with \`npm run cluster:down; npm run cluster:up\``,
          { cause: error },
        );
      await sleep(500);
    }
  }
  const flow = join(tmpdir(), `gatehouse-oidc-flow-${process.pid}.yaml`);
  writeFileSync(
    flow,
    `apiVersion: gatehouse.dev/v1alpha1
kind: AccessFlow
metadata: {name: oidc-devs}
spec:
  requesters: {groups: ["oidc:devs"]}
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: view}]
  approvers: {groups: ["oidc:approvers"], required: 1}
  maxDuration: 1h
`,
  );
  expect((await as(kubeconfig, 'access', 'flows', 'apply', '-f', flow)).code).toBe(0);
}, 90_000);

afterAll(async () => {
  await op?.close();
  // A failed run must not leave alice's grant in the shared cluster (this store dies with the run).
  for (const binding of await listOwnedBindings(admin))
    if (binding.grantKey.endsWith('|User:oidc:alice')) await removeOwnedBinding(admin, binding);
});

describe('people from the local OpenID Provider are the users the test cluster authorizes', () => {
  it('authenticates alice’s ID token as oidc:alice in group oidc:devs, and Gatehouse’s token as the same user', async () => {
    expect(await whoAmI(clientOf(await signedIn('alice')))).toEqual({
      username: 'oidc:alice',
      groups: ['oidc:devs', 'system:authenticated'],
    });
    expect((await whoAmI(clientOf(await signedIn('alice', 'gatehouse')))).username).toBe('oidc:alice');
  });

  it('refuses a token for another audience, a token with its groups altered, and an expired token', async () => {
    await expect(whoAmI(clientOf(await signedIn('alice', 'other-app')))).rejects.toMatchObject({
      code: 'auth.unauthorized',
    });
    const { idToken } = await op.tokensFor({ username: 'alice', clientId: 'kubernetes' });
    const [header, payload, signature] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, groups: ['system:masters'] })).toString(
      'base64url',
    );
    const altered = tokenKubeconfig(admin.kubeConfig, `${header}.${forged}.${signature}`, 'oidc-forged');
    await expect(whoAmI(clientOf(altered))).rejects.toMatchObject({ code: 'auth.unauthorized' });
    // Two tokens alike: the first is used while valid, the second only once both have expired.
    // (The apiserver caches a successful authentication for 10 s, so the second must be unused.)
    const short = () => op.tokensFor({ username: 'alice', clientId: 'kubernetes', lifetimeSeconds: 2 });
    const [used, unused] = [await short(), await short()];
    expect(
      (await whoAmI(clientOf(tokenKubeconfig(admin.kubeConfig, used.idToken, 'oidc-short')))).username,
    ).toBe('oidc:alice');
    await sleep(Math.max(0, unused.expiresAt.getTime() + 1500 - Date.now()));
    const expired = tokenKubeconfig(admin.kubeConfig, unused.idToken, 'oidc-expired');
    await expect(whoAmI(clientOf(expired))).rejects.toMatchObject({ code: 'auth.unauthorized' });
  });

  it('a binding-mode grant asked by alice and approved by bob lets her own token list pods, until revoked', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const listPods = () =>
      clientOf(alice).request<{ items: unknown[] }>({ path: '/api/v1/namespaces/payments/pods' });
    expect((await subjectCan(admin, alicePods)).allowed).toBe(false);
    await expect(listPods()).rejects.toMatchObject({ code: 'auth.forbidden' });

    const args = ['--flow', 'oidc-devs', '--role', 'view', '-n', 'payments', '--for', '10m'];
    const asked = await as(
      alice,
      'access',
      'request',
      ...args,
      '--reason',
      'INC-7',
      '--cluster',
      cluster,
      '-o',
      'json',
    );
    expect(asked.stderr).toBe('');
    const request = JSON.parse(asked.stdout);
    expect(request.requester).toBe('oidc:alice');
    expect((await as(alice, 'access', 'approve', request.id)).code).toBe(4);
    const approved = await as(bob, 'access', 'approve', request.id, '-o', 'json');
    expect(JSON.parse(approved.stdout).state).toBe('approved');
    expect((await as(kubeconfig, 'access', 'reconcile')).code).toBe(0);
    expect((await subjectCan(admin, alicePods)).allowed).toBe(true);
    expect(Array.isArray((await listPods()).items)).toBe(true);

    expect((await as(alice, 'access', 'revoke', request.id)).code).toBe(0);
    expect((await as(kubeconfig, 'access', 'reconcile')).code).toBe(0);
    expect((await subjectCan(admin, alicePods)).allowed).toBe(false);
    await expect(listPods()).rejects.toMatchObject({ code: 'auth.forbidden' });
  });
});
