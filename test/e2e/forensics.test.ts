import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { cli } from '../support/cli.js';
import { serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const home = join(tmpdir(), `gatehouse-forensics-${process.pid}`);
const env = { GATEHOUSE_HOME: home, GATEHOUSE_OPERATOR: 'e2e-responder' };
const gatehouse = (...args: string[]) => cli(['--kubeconfig', kubeconfig, ...args], env);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)],
  );
}

async function acquire(...args: string[]): Promise<{ id: string; root: string; seconds: number }> {
  const run = await gatehouse('acquire', ...args, '-o', 'json');
  expect(run.stderr).not.toContain('error:');
  expect(run.code).toBe(0);
  const [item] = JSON.parse(run.stdout).items;
  return { id: item.package, root: item.root, seconds: item.seconds };
}

describe('forensic acquisition on the test cluster', () => {
  it('acquires the planted pod into a package that verifies, and flags what was planted', async () => {
    const { id, root, seconds } = await acquire('legacy-cart', '-n', 'storefront');
    expect(seconds).toBeLessThan(30);
    const verify = await gatehouse('evidence', 'verify', id);
    expect(verify.stdout).toMatch(/^VERIFIED: \d+ files/);
    // Against the records a rewrite of the package cannot reach, not only against itself.
    expect(verify.stdout).toMatch(/checked against audit entry \d+, signed by key/);
    expect(verify.stdout).toMatch(/checked against package\.sig, signed by key/);
    expect(verify.code).toBe(0);
    const indicators = JSON.parse((await gatehouse('evidence', 'indicators', id, '-o', 'json')).stdout) as {
      id: string;
      where: string;
    }[];
    const ids = new Set(indicators.map((indicator) => indicator.id));
    for (const expected of [
      'miner',
      'history-reverse-shell',
      'executable-in-writable',
      'deleted-binary',
      'ld-so-preload',
      'suid-in-writable',
      'cron-download',
    ]) {
      expect(ids, expected).toContain(expected);
    }
    expect(indicators.some((indicator) => indicator.where === '/dev/shm/.x/xmrig')).toBe(true);
    const custody = JSON.parse(readFileSync(join(root, 'custody.json'), 'utf8'));
    expect(custody).toMatchObject({
      operator: 'e2e-responder',
      method: 'exec',
      target: { namespace: 'storefront', pod: 'legacy-cart', container: 'php' },
    });
    expect(custody.target.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(custody.target.containerId).toMatch(/^containerd:\/\//);
    const timeline = JSON.parse((await gatehouse('evidence', 'timeline', id, '-o', 'json')).stdout) as {
      timestamp_desc: string;
    }[];
    expect(new Set(timeline.map((event) => event.timestamp_desc))).toEqual(
      new Set([
        'Content Modification Time',
        'Last Access Time',
        'Metadata Change Time',
        'Process Start',
        'Log Entry',
        'Shell History',
      ]),
    );
  });

  it('never stores secrets: no shadow file, no token, no environment values', async () => {
    const { root } = await acquire('legacy-cart', '-n', 'storefront');
    const files = walk(root);
    expect(files.some((file) => file.endsWith('/etc/shadow'))).toBe(false);
    const everything = files.map((file) => readFileSync(file).toString('latin1')).join('\n');
    expect(everything).not.toContain('planted-secret-value');
    expect(everything).not.toMatch(/eyJhbGciOi[\w-]+\.[\w-]+\.[\w-]+/);
    expect(readFileSync(join(root, 'live', 'live.sa-token-sha256.out'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('names the tampered file when a package is modified', async () => {
    const { id, root } = await acquire('debug-shell', '-n', 'dev');
    writeFileSync(join(root, 'files', 'etc', 'passwd'), 'mallory::0:0::/:/bin/sh\n');
    const verify = await gatehouse('evidence', 'verify', id);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('files/etc/passwd: modified (content differs from the manifest)');
  });

  it('acquires the distroless pod through an ephemeral debug container', async () => {
    const { id, root } = await acquire('token-signer', '-n', 'payments');
    expect((await gatehouse('evidence', 'verify', id)).code).toBe(0);
    const custody = JSON.parse(readFileSync(join(root, 'custody.json'), 'utf8'));
    expect(custody.method).toBe('ephemeral');
    expect(custody.ephemeralContainer.name).toMatch(/^gatehouse-[0-9a-f]{8}$/);
    expect(readFileSync(join(root, 'files', 'etc', 'passwd'), 'utf8')).toContain('nonroot:x:65532');
    expect(readFileSync(join(root, 'acquisition.log'), 'utf8')).toContain('stays in the pod spec');
  });

  it('stops before touching the container when pods/exec is not granted, naming the permission', async () => {
    const admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
    const token = await serviceAccountToken(admin, 'dev', 'no-exec-tester');
    const config = tokenKubeconfig(admin.kubeConfig, token, 'no-exec-forensics');
    const run = await cli(
      ['--kubeconfig', config, 'acquire', 'exec-target', '-n', 'dev', '--method', 'exec'],
      env,
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      'the exec method needs permissions you do not have: create pods/exec in namespace dev',
    );
    expect(run.stderr).toContain('gatehouse setup rbac forensics');
  });

  it('contains a deliberately malicious stream: forged sections, traversal, links, devices, control characters, endless output', async () => {
    // dev/hostile answers the collector like a compromised container that read our nonce from
    // /proc: see testcluster/seed/hostile.ts.
    const started = Date.now();
    const { id, root } = await acquire('hostile', '-n', 'dev', '--max-bytes', '3000000');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(existsSync('/tmp/gatehouse-pwned')).toBe(false);
    expect(existsSync('/tmp/gatehouse-longname-escape')).toBe(false);
    for (const file of walk(root)) expect(relative(root, file).startsWith('..')).toBe(false);
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')).items as {
      path: string;
      source: string;
      type: string;
    }[];
    const bySource = (source: string) => manifest.find((item) => item.source === source);
    expect(bySource('/etc/cron.d/backdoor')?.path).toBe('files/etc/cron.d/backdoor');
    expect(bySource('/../../../../../tmp/gatehouse-pwned')?.path).toBe(
      'files/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/tmp/gatehouse-pwned',
    );
    expect(bySource('/root/.ssh/authorized_keys')?.path).toBe('files/root/.ssh/authorized_keys');
    expect(manifest.find((item) => item.source.endsWith('gatehouse-longname-escape'))?.path).toMatch(
      /^files\/(deep\/){30}(%2E%2E\/)+tmp\/gatehouse-longname-escape$/,
    );
    expect(manifest.find((item) => item.source.includes('owned'))?.path).toBe(
      'files/tmp/%1B%5D0%3Bowned%07%0Aname',
    );
    expect(bySource('/etc/shadow-link')).toMatchObject({ type: 'symlink', path: '' });
    expect(bySource('/dev/evil')).toMatchObject({ type: 'device', path: '' });
    expect(bySource('/tmp/fifo')).toMatchObject({ type: 'fifo', path: '' });
    const log = readFileSync(join(root, 'acquisition.log'), 'utf8');
    expect(log).toContain('malformed section header was ignored');
    expect(log).toContain('wrong nonce');
    expect(log).toContain('not hex digits');
    expect(log).toContain('more than 3000000 bytes');
    expect(log).not.toContain('\u001b');
    expect((await gatehouse('evidence', 'verify', id)).code).toBe(0);
  });

  it('acquires every match of a selector in parallel, and one failure does not stop the others', async () => {
    const run = await gatehouse(
      'acquire',
      '-l',
      'app.kubernetes.io/part-of=gatehouse-testcluster',
      '-n',
      'payments',
      '--method',
      'exec',
      '-o',
      'json',
    );
    expect(run.code).toBe(1);
    const items = JSON.parse(run.stdout).items as { target: string; package?: string; error?: string }[];
    expect(items.filter((item) => item.package).length).toBeGreaterThanOrEqual(4);
    expect(
      items
        .filter((item) => item.error)
        .map((item) => item.target)
        .sort(),
    ).toEqual(['payments/pdf-renderer/renderer', 'payments/token-signer/signer']);
    expect(items.find((item) => item.error)?.error).toContain('has no shell');
  });

  it('finds a shell-less image by probing, hides it from targets, and acquires it through the ephemeral method', async () => {
    const listed = JSON.parse(
      (await gatehouse('targets', '-n', 'payments', '--probe', '--all', '-o', 'json')).stdout,
    ).items as { pod: string; hidden?: string }[];
    expect(listed.find((target) => target.pod === 'pdf-renderer')?.hidden).toContain('shell probe failed');
    const { root } = await acquire('pdf-renderer', '-n', 'payments', '--method', 'auto');
    expect(JSON.parse(readFileSync(join(root, 'custody.json'), 'utf8')).method).toBe('ephemeral');
  });

  it('audits every acquisition, and the audit chain verifies', async () => {
    const events = (await cli(['audit', 'export'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      events.filter((event) => event.action === 'forensics.acquire' && event.outcome === 'started').length,
    ).toBeGreaterThanOrEqual(5);
    expect(events.some((event) => event.outcome === 'succeeded' && event.actor === 'e2e-responder')).toBe(
      true,
    );
    expect((await cli(['audit', 'verify'], env)).code).toBe(0);
  });
});
