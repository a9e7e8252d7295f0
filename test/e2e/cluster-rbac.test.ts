import { beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig, subjectCan } from '../../src/kube/index.js';
import { kubectl, serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');

describe('the test cluster enforces RBAC on exec', () => {
  let admin: KubeClient;
  beforeAll(() => {
    admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
  });

  it('refuses exec to a service account token without create pods/exec', async () => {
    const token = await serviceAccountToken(admin, 'dev', 'no-exec-tester');
    const config = tokenKubeconfig(admin.kubeConfig, token, 'no-exec');
    expect(kubectl(config, ['get', 'pods', '-n', 'dev']).status).toBe(0);
    const exec = kubectl(config, ['exec', '-n', 'dev', 'exec-target', '--', 'id']);
    expect(exec.status).not.toBe(0);
    expect(exec.stderr).toMatch(
      /forbidden: User "system:serviceaccount:dev:no-exec-tester" cannot (create|get) resource "pods\/exec"/,
    );
  });

  it('lets a service account token with create pods/exec run a command in the pod', async () => {
    const token = await serviceAccountToken(admin, 'dev', 'exec-tester');
    const config = tokenKubeconfig(admin.kubeConfig, token, 'exec');
    const exec = kubectl(config, ['exec', '-n', 'dev', 'exec-target', '--', 'cat', '/etc/hostname']);
    // kubectl's WebSocket client may log transport notices to stderr; the command's result is what counts.
    expect(exec.status, exec.stderr).toBe(0);
    expect(exec.stdout.trim()).toBe('exec-target');
  });

  it('answers SubjectAccessReviews as the seeded bindings say', async () => {
    const exec = { namespace: 'dev', verb: 'create', resource: 'pods', subresource: 'exec' };
    const asServiceAccount = (name: string) => ({
      user: `system:serviceaccount:dev:${name}`,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'],
    });
    expect(
      (await subjectCan(admin, { ...asServiceAccount('exec-tester'), resourceAttributes: exec })).allowed,
    ).toBe(true);
    expect(
      (await subjectCan(admin, { ...asServiceAccount('no-exec-tester'), resourceAttributes: exec })).allowed,
    ).toBe(false);
  });
});

describe('seeded containers look real to a collector', () => {
  it("runs commands in the pod's own root filesystem and PID namespace", () => {
    const passwd = kubectl(kubeconfig, [
      'exec',
      '-n',
      'storefront',
      'legacy-cart',
      '--',
      'cat',
      '/etc/passwd',
    ]);
    expect(passwd.stdout).toContain('app:x:1000:1000');
    const ps = kubectl(kubeconfig, ['exec', '-n', 'storefront', 'legacy-cart', '--', 'ps', '-o', 'pid,args']);
    expect(ps.stdout).toMatch(/^\s+1 sleep/m);
    expect(ps.stdout).toContain('/dev/shm/.x/xmrig');
  });

  it('fails exec of sh in the distroless pod the way a node does', () => {
    const exec = kubectl(kubeconfig, ['exec', '-n', 'payments', 'token-signer', '--', 'sh', '-c', 'id']);
    expect(exec.status).not.toBe(0);
    expect(exec.stderr).toContain('executable file not found in $PATH');
  });

  it('serves container logs through the API server', () => {
    const logs = kubectl(kubeconfig, ['logs', '-n', 'payments', 'ledger', '-c', 'log-shipper']);
    expect(logs.stdout).toContain('log-shipper ready');
  });

  it('reports container and image IDs like a kubelet', () => {
    const pod = JSON.parse(
      kubectl(kubeconfig, ['get', 'pod', '-n', 'payments', 'token-signer', '-o', 'json']).stdout,
    );
    expect(pod.status.containerStatuses[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(pod.status.containerStatuses[0].imageID).toMatch(
      /^gcr\.io\/distroless\/static-debian12@sha256:[0-9a-f]{64}$/,
    );
  });
});
