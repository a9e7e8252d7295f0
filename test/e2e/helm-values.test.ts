import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ensureHelm } from '../support/helm.js';
import { type Chart, chartFor, ofKind, podSpecs, render, renderRaw } from '../support/helm-chart.js';

let chart: Chart;
beforeAll(async () => {
  chart = chartFor(await ensureHelm());
});

describe('values the chart refuses, with the value and the fix named', () => {
  const refusals: readonly [string, string[], RegExp][] = [
    ['zero replicas', ['server.replicas=0'], /\/server\/replicas.*minimum/s],
    ['a misspelt key', ['server.replica=3'], /\/server.*additional propert(y|ies) 'replica' not allowed/s],
    [
      'a non-https agent server',
      ['agent.serverUrl=http://gatehouse'],
      /\/agent\/serverUrl.*does not match pattern/s,
    ],
    [
      'an unknown pull policy',
      ['image.pullPolicy=Sometimes'],
      /\/image\/pullPolicy.*(Always|must be one of)/s,
    ],
    [
      'agent-only mode without a server URL',
      ['server.enabled=false', 'agent.enabled=true'],
      /agent\.enabled=true needs agent\.serverUrl: the https URL of your Gatehouse server/,
    ],
    [
      'access without the roles it may bind',
      ['capabilities.access.enabled=true'],
      /capabilities\.access\.enabled=true needs capabilities\.access\.bindableRoles/,
    ],
    [
      'nothing enabled',
      ['server.enabled=false'],
      /nothing to deploy: server\.enabled and agent\.enabled are both false/,
    ],
    [
      'two replicas without PostgreSQL',
      ['server.database.secretName='],
      /server\.replicas=2 needs PostgreSQL: set server\.database\.secretName/,
    ],
  ];
  it.each(refusals)('refuses %s', (_label, set, message) => {
    const result = renderRaw(chart, { set });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});

describe('values that are text stay text', () => {
  it('carries YAML syntax in a value into the config file as a plain string', () => {
    const clientId = 'gatehouse: {admin: true} # - [x]';
    const objects = render(chart, {
      set: ['server.oidc.issuer=https://idp.example.com'],
      setString: [`server.oidc.clientId=${clientId}`, 'server.oidc.roles.admin[0]=oidc:ops: "on-call"'],
    });
    const [configMap] = ofKind(objects, 'ConfigMap') as unknown as { data: Record<string, string> }[];
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-chart-text-'));
    writeFileSync(join(dir, 'config.yaml'), configMap?.data['config.yaml'] ?? '');
    const config = loadConfig({ GATEHOUSE_CONFIG: join(dir, 'config.yaml'), GATEHOUSE_HOME: dir });
    expect(config.oidc?.clientId).toBe(clientId);
    expect(config.oidc?.roles.admin).toEqual(['oidc:ops: "on-call"']);
  });

  it('reads webhook URLs from a Secret, never from values', () => {
    const objects = render(chart, {
      set: ['server.webhooks.secretName=hooks', 'server.webhooks.format=json'],
    });
    const [server] = podSpecs(objects)[0]?.spec.containers ?? [];
    expect(server?.env?.find((variable) => variable.name === 'GATEHOUSE_WEBHOOKS')).toEqual({
      name: 'GATEHOUSE_WEBHOOKS',
      valueFrom: { secretKeyRef: { name: 'hooks', key: 'urls' } },
    });
    expect(server?.args).toContain('json');
    const refused = renderRaw(chart, { set: ['server.webhooks.urls=https://hooks.example.com/T0K3N'] });
    expect(refused.stderr).toMatch(/\/server\/webhooks.*additional propert(y|ies) 'urls' not allowed/s);
  });
});
