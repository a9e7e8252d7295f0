import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rbacDocuments } from '../../src/cli/commands/setup.js';
import { chartDir, parseObjects, type Rendered, runHelm } from './helm.js';

/** The values files the chart is tested with (deploy/helm/gatehouse/ci). */
export const valuesFiles = ['default', 'ingress', 'agent-only', 'forensics-off'] as const;
export type ValuesName = (typeof valuesFiles)[number];

export const valuesPath = (name: ValuesName) => join(chartDir, 'ci', `${name}-values.yaml`);

export interface Chart {
  readonly helm: string;
  readonly home: string;
}

export function chartFor(helm: string): Chart {
  return { helm, home: mkdtempSync(join(tmpdir(), 'gatehouse-helm-')) };
}

export interface RenderOptions {
  readonly values?: ValuesName;
  readonly set?: readonly string[];
  /** `--set-string`: the value stays a string whatever it looks like. */
  readonly setString?: readonly string[];
  readonly namespace?: string;
  readonly release?: string;
}

/** `helm template` of one values file plus --set flags; throws with helm's message on failure. */
export function render(chart: Chart, options: RenderOptions = {}): Rendered[] {
  const result = renderRaw(chart, options);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseObjects(result.stdout);
}

export function renderRaw(chart: Chart, options: RenderOptions) {
  return runHelm(
    chart.helm,
    [
      'template',
      options.release ?? 'gatehouse',
      chartDir,
      '--namespace',
      options.namespace ?? 'gatehouse',
      ...(options.values ? ['--values', valuesPath(options.values)] : []),
      ...(options.set ?? []).flatMap((flag) => ['--set', flag]),
      ...(options.setString ?? []).flatMap((flag) => ['--set-string', flag]),
    ],
    chart.home,
  );
}

export const ofKind = (objects: readonly Rendered[], kind: string) =>
  objects.filter((object) => object.kind === kind);

/** Every pod spec the objects hold (Deployments' templates). */
export function podSpecs(objects: readonly Rendered[]): { owner: string; spec: PodSpec }[] {
  return ofKind(objects, 'Deployment').map((deployment) => ({
    owner: deployment.metadata.name,
    spec: (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec,
  }));
}

export interface Container {
  readonly name: string;
  readonly args?: string[];
  readonly env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  readonly securityContext?: Record<string, unknown>;
  readonly volumeMounts?: { name: string; mountPath: string }[];
  readonly readinessProbe?: { httpGet?: { path: string; port: string } };
  readonly livenessProbe?: { httpGet?: { path: string; port: string } };
  readonly resources?: Record<string, unknown>;
}

export interface PodSpec {
  readonly serviceAccountName: string;
  readonly securityContext?: Record<string, unknown>;
  readonly containers: Container[];
  readonly initContainers?: Container[];
  readonly volumes?: { name: string; emptyDir?: unknown; secret?: { secretName: string } }[];
}

/** The ClusterRole rules `gatehouse setup rbac CAPABILITY` prints, for comparison with the chart's. */
export function setupRbacRules(capability: string, bindable: readonly string[] = []): unknown {
  const [clusterRole] = rbacDocuments(capability, 'gatehouse', { bindable }) as { rules: unknown }[];
  return clusterRole?.rules;
}
