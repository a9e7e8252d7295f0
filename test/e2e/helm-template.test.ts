import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rbacDocuments } from '../../src/cli/commands/setup.js';
import { loadConfig } from '../../src/config/index.js';
import { parseKubeconfigText } from '../../src/kube/index.js';
import { chartDir, ensureHelm, runHelm } from '../support/helm.js';
import {
  type Chart,
  chartFor,
  ofKind,
  podSpecs,
  render,
  renderRaw,
  setupRbacRules,
  valuesFiles,
  valuesPath,
} from '../support/helm-chart.js';

let chart: Chart;
beforeAll(async () => {
  chart = chartFor(await ensureHelm());
});

const names = (objects: readonly { kind: string; metadata: { name: string } }[]) =>
  objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();

describe('helm lint', () => {
  it.each(valuesFiles)('passes --strict with the %s values', (values) => {
    const result = runHelm(
      chart.helm,
      ['lint', '--strict', chartDir, '--values', valuesPath(values)],
      chart.home,
    );
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe('the chart with default values', () => {
  it('renders two server replicas with a Service, PDB, NetworkPolicy and inventory + forensics RBAC', () => {
    const objects = render(chart, { values: 'default' });
    expect(names(objects)).toEqual([
      'ClusterRole/gatehouse-forensics',
      'ClusterRole/gatehouse-inventory',
      'ClusterRoleBinding/gatehouse-forensics',
      'ClusterRoleBinding/gatehouse-inventory',
      'ConfigMap/gatehouse',
      'Deployment/gatehouse',
      'NetworkPolicy/gatehouse',
      'PodDisruptionBudget/gatehouse',
      'Service/gatehouse',
      'ServiceAccount/gatehouse',
    ]);
    const [deployment] = ofKind(objects, 'Deployment') as unknown as { spec: { replicas: number } }[];
    expect(deployment?.spec.replicas).toBe(2);
    const [server] = podSpecs(objects)[0]?.spec.containers ?? [];
    expect(server?.args).toEqual(['serve', '--listen', '0.0.0.0:8080', '--webhook-format', 'slack']);
    expect(server?.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(server?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(server?.resources).toMatchObject({ requests: { cpu: '100m', memory: '256Mi' } });
  });

  it('takes the database URL and the audit key from Secrets, never from values', () => {
    const objects = render(chart, { set: ['server.database.secretName=db-canary'] });
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const [server] = podSpecs(objects)[0]?.spec.containers ?? [];
    const env = Object.fromEntries((server?.env ?? []).map((variable) => [variable.name, variable]));
    expect(env.GATEHOUSE_DATABASE_URL).toEqual({
      name: 'GATEHOUSE_DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'db-canary', key: 'url' } },
    });
    expect(env.GATEHOUSE_AUDIT_KEY_FILE?.value).toBe('/etc/gatehouse/audit/audit-signing.key');
    const refused = renderRaw(chart, { set: ['server.database.url=postgres://u:hunter2@db/gatehouse'] });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/\/server\/database.*additional propert(y|ies) 'url' not allowed/s);
  });

  it("writes a config file and kubeconfig that Gatehouse's own loaders accept", () => {
    const objects = render(chart, { values: 'ingress' });
    const [configMap] = ofKind(objects, 'ConfigMap') as unknown as { data: Record<string, string> }[];
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-chart-config-'));
    writeFileSync(join(dir, 'config.yaml'), configMap?.data['config.yaml'] ?? '');
    const config = loadConfig({ GATEHOUSE_CONFIG: join(dir, 'config.yaml'), GATEHOUSE_HOME: dir });
    expect(config.publicUrl).toBe('https://gatehouse.example.com');
    expect(config.oidc).toMatchObject({
      issuer: 'https://idp.example.com',
      clientId: 'gatehouse',
      roles: { admin: ['oidc:gatehouse-admins'], auditor: [], responder: [] },
    });
    expect(configMap?.data['config.yaml']).not.toMatch(/clientSecret|password|postgres:/i);
    const kubeconfig = parseKubeconfigText(configMap?.data['kubeconfig.yaml'] ?? '', 'the chart');
    expect(kubeconfig.getCurrentContext()).toBe('in-cluster');
    expect(kubeconfig.getCurrentUser()?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
    });
  });
});

describe('security on every rendered pod', () => {
  it.each(valuesFiles)(
    'runs every container of the %s values restricted, read-only, all capabilities dropped',
    (values) => {
      const pods = podSpecs(render(chart, { values }));
      expect(pods.length).toBeGreaterThan(0);
      for (const { owner, spec } of pods) {
        expect(spec.securityContext, owner).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
          expect(container.securityContext, `${owner}/${container.name}`).toMatchObject({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
          const writable = (container.volumeMounts ?? []).filter((mount) =>
            spec.volumes?.some((volume) => volume.name === mount.name && volume.emptyDir !== undefined),
          );
          expect(writable.map((mount) => mount.mountPath).sort(), `${owner}/${container.name}`).toEqual([
            '/tmp',
            '/var/lib/gatehouse',
          ]);
          for (const variable of container.env ?? [])
            if (/SECRET|TOKEN|PASSWORD|DATABASE_URL|WEBHOOK/.test(variable.name))
              expect(variable.value === undefined || variable.name.endsWith('_FILE'), variable.name).toBe(
                true,
              );
        }
      }
    },
  );
});

describe('RBAC is the union of the enabled capabilities, as gatehouse setup rbac defines them', () => {
  const cases: readonly [string, (typeof valuesFiles)[number], string[], string[]][] = [
    ['default', 'default', ['forensics', 'inventory'], []],
    [
      'ingress (access and reviews on)',
      'ingress',
      ['access', 'forensics', 'inventory', 'reviews'],
      ['edit', 'view'],
    ],
    ['agent-only', 'agent-only', ['forensics', 'inventory'], []],
    ['forensics off', 'forensics-off', ['inventory'], []],
  ];
  it.each(cases)('grants %s exactly the setup rbac rules', (_label, values, capabilities, bindable) => {
    const objects = render(chart, { values });
    const roles = ofKind(objects, 'ClusterRole') as unknown as {
      metadata: { name: string };
      rules: unknown;
    }[];
    expect(roles.map((role) => role.metadata.name).sort()).toEqual(
      capabilities.map((name) => `gatehouse-${name}`),
    );
    for (const name of capabilities) {
      const role = roles.find((candidate) => candidate.metadata.name === `gatehouse-${name}`);
      expect(role?.rules, name).toEqual(setupRbacRules(name, bindable));
    }
    const serviceAccount = ofKind(objects, 'ServiceAccount')[0]?.metadata.name;
    for (const binding of ofKind(objects, 'ClusterRoleBinding') as unknown as { subjects: unknown[] }[])
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: serviceAccount, namespace: 'gatehouse' },
      ]);
  });

  it('confines the access credential rights to a Role in the credential namespace', () => {
    const objects = render(chart, { values: 'ingress' });
    const [role] = ofKind(objects, 'Role') as unknown as {
      metadata: { namespace: string };
      rules: unknown;
    }[];
    expect(role?.metadata.namespace).toBe('gatehouse-access');
    const setupRole = (
      rbacDocuments('access', 'gatehouse', { bindable: ['view'] }) as { kind: string; rules: unknown }[]
    ).find((document) => document.kind === 'Role');
    expect(role?.rules).toEqual(setupRole?.rules);
  });
});

describe('the other values files', () => {
  it('routes the ingress host to the Service port, with TLS, S3 evidence and OIDC secret mounted as a file', () => {
    const objects = render(chart, { values: 'ingress' });
    const [ingress] = ofKind(objects, 'Ingress') as unknown as {
      spec: {
        ingressClassName: string;
        tls: unknown[];
        rules: { host: string; http: { paths: unknown[] } }[];
      };
    }[];
    expect(ingress?.spec.ingressClassName).toBe('nginx');
    expect(ingress?.spec.tls).toEqual([{ hosts: ['gatehouse.example.com'], secretName: 'gatehouse-tls' }]);
    expect(ingress?.spec.rules[0]?.http.paths).toEqual([
      {
        path: '/',
        pathType: 'Prefix',
        backend: { service: { name: 'gatehouse', port: { name: 'http' } } },
      },
    ]);
    const [server] = podSpecs(objects)[0]?.spec.containers ?? [];
    const env = Object.fromEntries((server?.env ?? []).map((variable) => [variable.name, variable.value]));
    expect(env).toMatchObject({
      GATEHOUSE_S3_BUCKET: 'acme-evidence',
      GATEHOUSE_S3_PREFIX: 'prod/',
      AWS_REGION: 'eu-west-1',
      GATEHOUSE_OIDC_CLIENT_SECRET_FILE: '/etc/gatehouse/oidc/client-secret',
    });
  });

  it('renders only the agent, its ServiceAccount, RBAC and a no-ingress policy in agent-only mode', () => {
    const objects = render(chart, { values: 'agent-only' });
    expect(names(objects)).toEqual([
      'ClusterRole/gatehouse-forensics',
      'ClusterRole/gatehouse-inventory',
      'ClusterRoleBinding/gatehouse-forensics',
      'ClusterRoleBinding/gatehouse-inventory',
      'Deployment/gatehouse-agent',
      'NetworkPolicy/gatehouse-agent',
      'ServiceAccount/gatehouse',
    ]);
    const [agent] = podSpecs(objects);
    expect(agent?.spec.serviceAccountName).toBe('gatehouse');
    expect(agent?.spec.containers[0]?.args).toEqual([
      'agent',
      '--server',
      'https://gatehouse.example.com',
      '--token-file',
      '/etc/gatehouse/agent/token',
    ]);
    expect(agent?.spec.volumes?.find((volume) => volume.name === 'token')?.secret?.secretName).toBe(
      'gatehouse-agent-token',
    );
    const [policy] = ofKind(objects, 'NetworkPolicy') as unknown as { spec: Record<string, unknown> }[];
    expect(policy?.spec).toEqual({
      podSelector: { matchLabels: expect.any(Object) },
      policyTypes: ['Ingress'],
    });
  });

  it('lets the server replicas reach each other, whoever else the NetworkPolicy admits, and tells each its pod IP', () => {
    const objects = render(chart, {
      set: ['server.networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.name=ingress'],
    });
    const [policy] = ofKind(objects, 'NetworkPolicy') as unknown as {
      spec: { ingress: { from: Record<string, unknown>[] }[] };
    }[];
    const [deployment] = ofKind(objects, 'Deployment') as unknown as {
      spec: { selector: { matchLabels: Record<string, string> } };
    }[];
    expect(policy?.spec.ingress[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { name: 'ingress' } } },
      { podSelector: { matchLabels: deployment?.spec.selector.matchLabels } },
    ]);
    const [server] = podSpecs(objects)[0]?.spec.containers ?? [];
    expect(server?.env?.find((variable) => variable.name === 'POD_IP')).toEqual({
      name: 'POD_IP',
      valueFrom: { fieldRef: { fieldPath: 'status.podIP' } },
    });
  });

  it('leaves out the PodDisruptionBudget with one replica, so a drain is never blocked', () => {
    const objects = render(chart, { values: 'forensics-off' });
    expect(ofKind(objects, 'PodDisruptionBudget')).toEqual([]);
    expect(ofKind(objects, 'Deployment')).toHaveLength(1);
  });
});
