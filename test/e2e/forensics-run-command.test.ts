import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RunCommandTransport } from '../../src/clusters/index.js';
import {
  acquireContainer,
  defaultProfile,
  findIndicators,
  openPackage,
  verifyPackage,
} from '../../src/forensics/index.js';
import { KubeClient, loadKubeconfig } from '../../src/kube/index.js';
import { localRunCommand } from '../support/local-run-command.js';
import { responder } from '../support/principals.js';

const kubeconfig = inject('kubeconfig');
const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-run-command-'));

afterAll(() => rmSync(evidenceRoot, { recursive: true, force: true }));

describe('forensics through a run-command port (private API servers)', () => {
  it('acquires the planted pod with every API call and the collector going through run command, and the package verifies', async () => {
    const port = localRunCommand(kubeconfig);
    // A client that never opens a connection of its own: everything goes through the port.
    const config = loadKubeconfig({ path: kubeconfig }).config;
    const client = new KubeClient(config, { transport: new RunCommandTransport(port) });
    const acquisition = await acquireContainer({
      client,
      evidenceRoot,
      namespace: 'storefront',
      pod: 'legacy-cart',
      method: 'exec',
      profile: defaultProfile,
      operator: responder('e2e-responder'),
      gatehouseVersion: 'test',
    });
    expect(acquisition.custody).toMatchObject({ method: 'exec', transport: 'AKS run command' });
    expect(port.calls.some((call) => call.startsWith('kubectl exec -n'))).toBe(true);
    expect(port.calls.every((call) => call.startsWith('kubectl '))).toBe(true);
    const report = verifyPackage(acquisition.root);
    expect(report.ok).toBe(true);
    const log = readFileSync(join(acquisition.root, 'acquisition.log'), 'utf8');
    expect(log).toContain('through AKS run command');
    const indicators = findIndicators(openPackage(acquisition.root));
    expect(indicators.some((indicator) => indicator.where === '/dev/shm/.x/xmrig')).toBe(true);
  });
});
