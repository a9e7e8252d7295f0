import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { preflight } from '../../src/forensics/index.js';
import { KubeClient, loadKubeconfig, parseKubeconfigText } from '../../src/kube/index.js';
import { chartDir, ensureHelm, parseObjects, type Rendered, runHelm } from '../support/helm.js';
import {
  type Chart,
  chartFor,
  ofKind,
  podSpecs,
  render,
  valuesFiles,
  valuesPath,
} from '../support/helm-chart.js';
import { kubectl, serviceAccountToken } from '../support/kubectl.js';

const kubeconfig = inject('kubeconfig');
const suffix = randomBytes(3).toString('hex');
const namespaces = {
  dryRun: `helm-dry-${suffix}`,
  release: `helm-install-${suffix}`,
  credentials: `helm-credentials-${suffix}`,
};
const release = `gh-${suffix}`;
// Dry runs render under their own release name: the chart's cluster-scoped objects (ClusterRoles
// such as gatehouse-access) must not meet the ones other tests leave in the shared cluster.
const dryRelease = `gatehouse-dry-${suffix}`;

let chart: Chart;
let admin: KubeClient;
beforeAll(async () => {
  chart = chartFor(await ensureHelm());
  admin = new KubeClient(loadKubeconfig({ path: kubeconfig }).config);
  for (const name of [namespaces.dryRun, namespaces.release]) {
    const created = kubectl(kubeconfig, ['create', 'namespace', name]);
    expect(created.status, created.stderr).toBe(0);
    // The apiserver's Pod Security admission then refuses any pod short of "restricted".
    kubectl(kubeconfig, ['label', 'namespace', name, 'pod-security.kubernetes.io/enforce=restricted']);
  }
});

afterAll(() => {
  runHelm(
    chart.helm,
    ['uninstall', release, '--namespace', namespaces.release, '--kubeconfig', kubeconfig],
    chart.home,
  );
  for (const name of Object.values(namespaces))
    kubectl(kubeconfig, ['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
});

/** Server-side dry run of objects: the apiserver validates and admits them without storing anything. */
function dryRun(objects: readonly Rendered[], verb: 'apply' | 'create') {
  const stream = objects.map((object) => JSON.stringify(object)).join('\n');
  const args = verb === 'apply' ? ['apply', '--server-side', '--field-manager=helm-test'] : ['create'];
  return kubectl(kubeconfig, [...args, '--dry-run=server', '-o', 'name', '-f', '-'], stream);
}

const credentialSet = [`capabilities.access.credentialNamespace=${namespaces.credentials}`];

describe('helm template | kubectl apply --dry-run=server', () => {
  beforeAll(() => {
    kubectl(kubeconfig, ['create', 'namespace', namespaces.credentials]);
    // Pods are admitted only with their ServiceAccount present (the chart's, made by apply for real).
    kubectl(kubeconfig, ['create', 'serviceaccount', dryRelease, '-n', namespaces.dryRun]);
  });

  it.each(valuesFiles)('the test apiserver accepts every object of the %s values', (values) => {
    const objects = render(chart, {
      values,
      release: dryRelease,
      namespace: namespaces.dryRun,
      set: credentialSet,
    });
    const result = dryRun(objects, 'apply');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(objects.length);
  });

  it.each(valuesFiles)("admits the %s values' pods under the restricted Pod Security Standard", (values) => {
    const pods = podSpecs(render(chart, { values, release: dryRelease, namespace: namespaces.dryRun })).map(
      ({ owner, spec }) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${owner}-pss`, namespace: namespaces.dryRun },
        spec,
      }),
    );
    const result = dryRun(pods as unknown as Rendered[], 'create');
    expect(result.stderr).not.toContain('violates PodSecurity');
    expect(result.status, result.stderr).toBe(0);
  });

  it('refuses the same pod without its security context (the check above can fail)', () => {
    const [pod] = podSpecs(render(chart, { release: dryRelease, namespace: namespaces.dryRun }));
    const { securityContext: _pod, ...spec } = pod!.spec;
    const loose = {
      ...spec,
      containers: spec.containers.map(({ securityContext: _container, ...container }) => container),
    };
    const result = dryRun(
      [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'loose', namespace: namespaces.dryRun },
          spec: loose,
        },
      ],
      'create',
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /violates PodSecurity "restricted:latest".*allowPrivilegeEscalation != false/s,
    );
  });
});

describe('helm install into a fresh namespace', () => {
  let manifest: Rendered[];
  beforeAll(() => {
    // The Secrets the chart refers to; a real deployment makes them the same way (README).
    for (const [name, literal] of [
      ['gatehouse-database', 'url=postgres://gatehouse:unused@db.invalid/gatehouse'],
      ['gatehouse-oidc', 'client-secret=unused'],
    ] as const)
      kubectl(kubeconfig, [
        'create',
        'secret',
        'generic',
        name,
        '-n',
        namespaces.release,
        `--from-literal=${literal}`,
      ]);
    const install = runHelm(
      chart.helm,
      [
        'install',
        release,
        chartDir,
        '--namespace',
        namespaces.release,
        '--kubeconfig',
        kubeconfig,
        '--values',
        valuesPath('ingress'),
        ...credentialSet.flatMap((flag) => ['--set', flag]),
        '--set',
        'capabilities.access.createCredentialNamespace=false',
      ],
      chart.home,
    );
    expect(install.status, install.stderr).toBe(0);
    const got = runHelm(
      chart.helm,
      ['get', 'manifest', release, '--namespace', namespaces.release, '--kubeconfig', kubeconfig],
      chart.home,
    );
    manifest = parseObjects(got.stdout);
  });

  it('creates every object of the chart, the two-replica server Deployment included', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(12);
    for (const object of manifest) {
      const namespace = object.metadata.namespace ? ['-n', object.metadata.namespace] : [];
      const got = kubectl(kubeconfig, ['get', object.kind, object.metadata.name, ...namespace, '-o', 'name']);
      expect(got.status, `${object.kind}/${object.metadata.name}: ${got.stderr}`).toBe(0);
    }
    // The pods themselves are left out: kwok's nodes run no container, and whether the
    // ReplicaSet makes them depends on the shared cluster's kube-controller-manager, not the chart.
    const [deployment] = ofKind(manifest, 'Deployment');
    const got = kubectl(kubeconfig, [
      'get',
      'deployment',
      deployment!.metadata.name,
      '-n',
      namespaces.release,
      '-o',
      'json',
    ]);
    expect((JSON.parse(got.stdout) as { spec: { replicas: number } }).spec.replicas).toBe(2);
  });

  it("gives the ServiceAccount, through the server's own kubeconfig, what forensics preflight asks and no more", async () => {
    const [configMap] = ofKind(manifest, 'ConfigMap') as unknown as { data: Record<string, string> }[];
    const serviceAccount = ofKind(manifest, 'ServiceAccount')[0]!.metadata.name;
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sa-'));
    writeFileSync(join(dir, 'token'), await serviceAccountToken(admin, namespaces.release, serviceAccount));
    const ca = admin.kubeConfig.getCurrentCluster()?.caFile ?? '';
    // The pod's paths, pointed at this machine: the apiserver address, its CA, a real token of the ServiceAccount.
    const text = (configMap?.data['kubeconfig.yaml'] ?? '')
      .replace('https://kubernetes.default.svc', admin.server)
      .replace('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', ca)
      .replace('/var/run/secrets/kubernetes.io/serviceaccount/token', join(dir, 'token'));
    const asServer = new KubeClient(parseKubeconfigText(text, 'the release ConfigMap'));
    for (const method of ['exec', 'ephemeral'] as const)
      expect(await preflight(asServer, method, 'storefront'), method).toEqual({ missing: [], degraded: [] });
    const roles = await asServer.request<{ items: unknown[] }>({
      method: 'GET',
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    });
    expect(roles.items.length).toBeGreaterThan(0);
    await expect(
      asServer.request({ method: 'GET', path: '/api/v1/namespaces/storefront/secrets' }),
    ).rejects.toThrow(/forbidden|cannot list|permission/i);
  });

  it('removes every object on helm uninstall, cluster-scoped RBAC included', () => {
    const uninstall = runHelm(
      chart.helm,
      ['uninstall', release, '--namespace', namespaces.release, '--kubeconfig', kubeconfig],
      chart.home,
    );
    expect(uninstall.status, uninstall.stderr).toBe(0);
    for (const object of manifest.filter((candidate) => candidate.kind !== 'Namespace')) {
      const namespace = object.metadata.namespace ? ['-n', object.metadata.namespace] : [];
      const got = kubectl(kubeconfig, [
        'get',
        object.kind,
        object.metadata.name,
        ...namespace,
        '--ignore-not-found',
        '-o',
        'name',
      ]);
      expect(got.stdout.trim(), `${object.kind}/${object.metadata.name}`).toBe('');
    }
  });
});
