import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { intrusionTraces, plantScript } from '../../testcluster/seed/intrusion-traces.js';
import { cli } from '../support/cli.js';
import { kubectl } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const home = mkdtempSync(join(tmpdir(), 'gatehouse-triage-'));
const gatehouse = (...args: string[]) =>
  cli(['--kubeconfig', kubeconfig, ...args], { GATEHOUSE_HOME: home, GATEHOUSE_OPERATOR: 'e2e-responder' });

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('triage of what real intrusions leave', () => {
  it('acquires the planted pod and flags each family with its evidence, plus the user’s YARA rules', async () => {
    // A cluster seeded before these traces existed gets them now; on a fresh one this changes nothing.
    const plant = kubectl(kubeconfig, [
      'exec',
      '-n',
      'storefront',
      'legacy-cart',
      '--',
      'sh',
      '-c',
      plantScript(intrusionTraces),
    ]);
    // kubectl's own transport notices (e.g. "Unknown stream id 1, discarding message" from its
    // WebSocket client) may reach stderr; what matters is that the planting command succeeded.
    expect(plant.status, plant.stderr).toBe(0);
    const acquisition = await gatehouse('acquire', 'legacy-cart', '-n', 'storefront', '-o', 'json');
    expect(acquisition.code).toBe(0);
    const id = JSON.parse(acquisition.stdout).items[0].package as string;
    const rules = mkdtempSync(join(home, 'yara-'));
    writeFileSync(
      join(rules, 'webshell.yar'),
      'rule php_post_eval { meta: severity = "critical" strings: $e = /eval\\(\\$_POST\\[[^\\]]+\\]\\)/ condition: $e }',
    );
    const run = await gatehouse('evidence', 'indicators', id, '--yara', rules, '-o', 'json');
    expect(run.stderr).toBe('');
    const found = JSON.parse(run.stdout) as { id: string; where: string; reason: string }[];
    const has = (ruleId: string, where: string | RegExp) =>
      found.find(
        (indicator) =>
          indicator.id === ruleId &&
          (typeof where === 'string' ? indicator.where === where : where.test(indicator.where)),
      );
    expect(has('webshell', '/var/www/uploads/cache.php:1')?.reason).toContain("@eval($_POST['cmd'])");
    expect(has('script-in-upload-dir', '/var/www/uploads/cache.php')).toBeDefined();
    expect(has('elf-out-of-place', '/var/www/uploads/logo.png')).toBeDefined();
    expect(has('account-uid0', /^\/etc\/passwd:\d+$/)?.reason).toBe('toor:x:0:0::/root:/bin/sh');
    expect(has('cloud-metadata-credentials', /^\/root\/\.ash_history:\d+$/)?.reason).toContain(
      '169.254.169.254/latest/meta-data/iam/security-credentials/',
    );
    expect(has('sa-token-api-use', '/root/.ash_history')?.reason).toContain(
      'kubernetes.default.svc/api/v1/secrets',
    );
    expect(has('shell-rc-persistence', '/root/.profile:1')?.reason).toContain('nohup /dev/shm/.x/xmrig');
    expect(has('offensive-tool', '/tmp/kubeletctl')).toBeDefined();
    expect(has('history-offensive-tool', /^\/root\/\.ash_history:\d+$/)).toBeDefined();
    expect(has('hidden-directory-name', '/var/tmp/...')).toBeDefined();
    expect(has('masquerade-kernel-thread', /^process \d+$/)?.reason).toContain('.ksoftirqd');
    expect(has('yara:php_post_eval', '/var/www/uploads/cache.php')?.reason).toBe(
      "$e at 7: eval($_POST['cmd'])",
    );
  });
});
