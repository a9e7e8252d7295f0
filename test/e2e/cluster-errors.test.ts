import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AppError } from '../../src/errors.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { cli } from '../support/cli.js';
import { serviceAccountToken, tokenKubeconfig } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const home = { GATEHOUSE_HOME: join(tmpdir(), `gatehouse-e2e-${process.pid}`) };

interface KubeconfigDocument {
  clusters: { cluster: Record<string, unknown> }[];
}

function variant(name: string, change: (document: KubeconfigDocument) => void): string {
  const document = parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigDocument;
  change(document);
  const path = join(tmpdir(), `gatehouse-${name}-${process.pid}.yaml`);
  writeFileSync(path, stringify(document));
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('gatehouse clusters list against the test cluster', () => {
  it('shows the cluster reachable with its server version, as valid JSON', async () => {
    const run = await cli(['clusters', 'list', '--kubeconfig', kubeconfig, '-o', 'json'], home);
    expect(run.code).toBe(0);
    const [item] = JSON.parse(run.stdout).items;
    expect(item).toMatchObject({ reachable: true, cluster: { current: true, provider: 'kubeconfig' } });
    expect(item.version).toMatch(/^v1\.\d+\.\d+/);
  });

  it('reports a TLS failure when the CA does not match', async () => {
    const path = variant('wrong-ca', (document) => {
      for (const entry of document.clusters) {
        entry.cluster['certificate-authority'] = undefined;
        entry.cluster['certificate-authority-data'] = undefined;
      }
    });
    const [item] = JSON.parse(
      (await cli(['clusters', 'list', '--kubeconfig', path, '-o', 'json'], home)).stdout,
    ).items;
    expect(item.reachable).toBe(false);
    expect(item.error.code).toBe('cluster.tls');
    expect(item.error.message).toContain('certificate-authority-data');
  });
});

describe('kube errors from a real API server', () => {
  const admin = () => new KubeClient(loadKubeconfig({ path: kubeconfig }).config);

  it('says credentials are expired or invalid on 401', async () => {
    const config = loadKubeconfig({
      path: tokenKubeconfig(admin().kubeConfig, 'not-a-valid-token', 'bad-token'),
    }).config;
    const error = await rejection(new KubeClient(config).request({ path: '/api/v1/namespaces' }));
    expect(error.code).toBe('auth.unauthorized');
    expect(error.describe()).toContain('rejected the credentials (expired or invalid)');
  });

  it('names the verb and resource on 403', async () => {
    const token = await serviceAccountToken(admin(), 'dev', 'no-exec-tester');
    const config = loadKubeconfig({
      path: tokenKubeconfig(admin().kubeConfig, token, 'no-secrets'),
    }).config;
    const error = await rejection(new KubeClient(config).request({ path: '/api/v1/namespaces/dev/secrets' }));
    expect(error.code).toBe('auth.forbidden');
    expect(error.message).toBe(
      'forbidden: system:serviceaccount:dev:no-exec-tester may not list secrets in namespace "dev" in context "no-secrets"',
    );
    expect(error.details).toMatchObject({ verb: 'list', resource: 'secrets', namespace: 'dev' });
  });
});
