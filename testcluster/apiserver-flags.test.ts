import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restartStoppedComponents, withFlags } from './apiserver-flags.js';
import { clusterName, kwokWorkdir } from './paths.js';

describe('apiserver flags of a running test cluster', () => {
  it('adds missing flags and replaces an older value, leaving the others in place', () => {
    const args = ['--secure-port=32764', '--audit-log-maxsize=10', '--authorization-mode=Node,RBAC'];
    expect(
      withFlags(args, [
        { key: 'audit-log-maxsize', value: '50' },
        { key: 'audit-log-path', value: '/x/audit.log' },
      ]),
    ).toEqual([
      '--secure-port=32764',
      '--authorization-mode=Node,RBAC',
      '--audit-log-maxsize=50',
      '--audit-log-path=/x/audit.log',
    ]);
  });

  it('changes nothing when every flag already has its value, so the apiserver is not restarted', () => {
    const args = ['--secure-port=32764', '--audit-log-path=/x/audit.log', '--v=2'];
    expect(withFlags(args, [{ key: 'audit-log-path', value: '/x/audit.log' }])).toEqual(args);
  });

  it('starts again the components whose process died, and leaves the running ones alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-components-'));
    const workdir = join(kwokWorkdir(root), 'clusters', clusterName);
    mkdirSync(join(workdir, 'pids'), { recursive: true });
    mkdirSync(join(workdir, 'logs'), { recursive: true });
    const component = (name: string) =>
      `  - name: ${name}\n    binary: /bin/sleep\n    args: ['30']\n    workDir: ${workdir}\n`;
    writeFileSync(
      join(workdir, 'kwok.yaml'),
      `kind: KwokctlConfiguration\napiVersion: config.kwok.x-k8s.io/v1alpha1\ncomponents:\n${component('kube-scheduler')}${component('kube-controller-manager')}`,
    );
    // The scheduler runs (this test process stands in for it); the controller manager's pid is gone.
    const gone = spawnSync('/bin/true').pid;
    writeFileSync(join(workdir, 'pids', 'kube-scheduler.pid'), String(process.pid));
    writeFileSync(join(workdir, 'pids', 'kube-controller-manager.pid'), String(gone));
    try {
      expect(await restartStoppedComponents(root)).toEqual(['kube-controller-manager']);
      const pid = Number(readFileSync(join(workdir, 'pids', 'kube-controller-manager.pid'), 'utf8'));
      expect(pid).not.toBe(gone);
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(readFileSync(join(workdir, 'pids', 'kube-scheduler.pid'), 'utf8')).toBe(String(process.pid));
      expect(await restartStoppedComponents(root)).toEqual([]);
      process.kill(pid, 'SIGKILL');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
