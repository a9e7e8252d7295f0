import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
const home = { GATEHOUSE_HOME: join(dir, 'home') };

function kubeconfigFile(name: string, server: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\ncurrent-context: ${name}\nclusters:\n- name: c\n  cluster: {server: "${server}"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: ${name}\n  context: {cluster: c, user: u}\n`,
  );
  return path;
}

describe('gatehouse CLI', () => {
  it('reports a malformed kubeconfig in one line with exit code 2 and no stack trace', async () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'clusters: [\n');
    const run = await cli(['clusters', 'list', '--kubeconfig', path], home);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: kubeconfig .*broken\.yaml is not valid YAML/);
    expect(run.stderr).not.toContain('    at ');
  });

  it('prints the stack trace only with --debug', async () => {
    const path = join(dir, 'broken2.yaml');
    writeFileSync(path, 'clusters: [\n');
    const run = await cli(['--debug', 'clusters', 'list', '--kubeconfig', path], home);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('    at ');
  });

  it('lists an unreachable cluster as unreachable, with the reason, as valid JSON', async () => {
    const path = kubeconfigFile('down', 'https://127.0.0.1:1');
    const run = await cli(['clusters', 'list', '--kubeconfig', path, '-o', 'json'], home);
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.kind).toBe('ClusterList');
    expect(document.items[0]).toMatchObject({
      reachable: false,
      cluster: { name: 'down', current: true },
      error: { code: 'cluster.unreachable' },
    });
    expect(document.items[0].error.message).toContain('ECONNREFUSED');
  });

  it('gives up on a silent server after the probe timeout', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const port = (silent.address() as { port: number }).port;
    const configFile = join(dir, 'fast.yaml');
    writeFileSync(configFile, 'probeTimeoutMs: 300\n');
    const started = Date.now();
    const run = await cli(
      [
        'clusters',
        'list',
        '--kubeconfig',
        kubeconfigFile('silent', `https://127.0.0.1:${port}`),
        '-o',
        'json',
      ],
      {
        ...home,
        GATEHOUSE_CONFIG: configFile,
      },
    );
    silent.close();
    expect(JSON.parse(run.stdout).items[0].error.code).toBe('cluster.timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('names an unknown context and the ones that exist', async () => {
    const path = kubeconfigFile('known', 'https://127.0.0.1:1');
    const run = await cli(['clusters', 'list', '--kubeconfig', path, '--context', 'prod'], home);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: context "prod" is not in the kubeconfig. Use one of: known\n');
  });

  it('rejects an unknown output format with exit code 2', async () => {
    const run = await cli(['clusters', 'list', '-o', 'xml'], home);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'xml' is invalid");
  });

  it('names the missing kubeconfig and how to get one', async () => {
    const run = await cli(['clusters', 'list'], { ...home, KUBECONFIG: join(dir, 'none.yaml') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no kubeconfig found');
    expect(run.stderr).toContain('npm run cluster:up');
  });

  it('verifies an empty audit chain in a fresh data directory', async () => {
    const run = await cli(['audit', 'verify'], { GATEHOUSE_HOME: join(dir, 'fresh-home') });
    expect(run.stdout).toMatch(/audit chain intact: 0 entries/);
    expect(run.code).toBe(0);
  });
});
