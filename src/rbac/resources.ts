import { AppError } from '../errors.js';
import type { NonResourceAttributes, ResourceAttributes } from './types.js';

/** Built-in resources by plural name → API group, so `deployments` means apps/deployments offline. */
const builtinGroups: Readonly<Record<string, string>> = {
  pods: '',
  services: '',
  endpoints: '',
  configmaps: '',
  secrets: '',
  serviceaccounts: '',
  namespaces: '',
  nodes: '',
  persistentvolumes: '',
  persistentvolumeclaims: '',
  events: '',
  limitranges: '',
  resourcequotas: '',
  replicationcontrollers: '',
  podtemplates: '',
  bindings: '',
  componentstatuses: '',
  users: '',
  groups: '',
  deployments: 'apps',
  statefulsets: 'apps',
  daemonsets: 'apps',
  replicasets: 'apps',
  controllerrevisions: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
  roles: 'rbac.authorization.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  ingresses: 'networking.k8s.io',
  networkpolicies: 'networking.k8s.io',
  ingressclasses: 'networking.k8s.io',
  horizontalpodautoscalers: 'autoscaling',
  poddisruptionbudgets: 'policy',
  customresourcedefinitions: 'apiextensions.k8s.io',
  storageclasses: 'storage.k8s.io',
  csidrivers: 'storage.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io',
  leases: 'coordination.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  tokenreviews: 'authentication.k8s.io',
  subjectaccessreviews: 'authorization.k8s.io',
  selfsubjectaccessreviews: 'authorization.k8s.io',
  priorityclasses: 'scheduling.k8s.io',
  runtimeclasses: 'node.k8s.io',
  endpointslices: 'discovery.k8s.io',
};

const shortNames: Readonly<Record<string, string>> = {
  po: 'pods',
  svc: 'services',
  ep: 'endpoints',
  cm: 'configmaps',
  sa: 'serviceaccounts',
  ns: 'namespaces',
  no: 'nodes',
  pv: 'persistentvolumes',
  pvc: 'persistentvolumeclaims',
  ev: 'events',
  deploy: 'deployments',
  sts: 'statefulsets',
  ds: 'daemonsets',
  rs: 'replicasets',
  cj: 'cronjobs',
  ing: 'ingresses',
  netpol: 'networkpolicies',
  hpa: 'horizontalpodautoscalers',
  pdb: 'poddisruptionbudgets',
  crd: 'customresourcedefinitions',
  sc: 'storageclasses',
  csr: 'certificatesigningrequests',
};

const commonSubresources = new Set([
  'exec',
  'log',
  'attach',
  'portforward',
  'proxy',
  'status',
  'scale',
  'token',
  'eviction',
  'binding',
  'ephemeralcontainers',
]);

export interface ParsedTarget {
  readonly attributes: {
    readonly resource?: Omit<ResourceAttributes, 'verb'>;
    readonly nonResource?: Omit<NonResourceAttributes, 'verb'>;
  };
  /** A hint when the input probably meant something else (e.g. `pods/exec`). */
  readonly hint?: string;
}

/**
 * Parses kubectl's `TYPE[.GROUP][/NAME]` or `/URL` argument. As in kubectl, `pods/exec` is the
 * pod named "exec"; the subresource is `--subresource exec`.
 */
export function parseTarget(
  text: string,
  options: { subresource?: string; namespace?: string } = {},
): ParsedTarget {
  if (text.startsWith('/')) return { attributes: { nonResource: { path: text } } };
  const [type = '', name, ...rest] = text.split('/');
  if (!type || rest.length > 0 || name === '') {
    throw new AppError('input.invalid', `"${text}" is not a resource`, {
      fix: 'Write TYPE, TYPE.GROUP, TYPE/NAME or a /URL (e.g. pods, deployments.apps, secrets/db, /metrics)',
    });
  }
  const dot = type.indexOf('.');
  const plain = (dot === -1 ? type : type.slice(0, dot)).toLowerCase();
  const resource = shortNames[plain] ?? plain;
  const group = dot === -1 ? (builtinGroups[resource] ?? '') : type.slice(dot + 1);
  const hint =
    name && !options.subresource && commonSubresources.has(name)
      ? `note: ${text} names a ${resource.replace(/s$/, '')} called "${name}"; for the subresource write \`${resource} --subresource ${name}\``
      : undefined;
  return {
    attributes: {
      resource: {
        resource,
        group,
        ...(name ? { name } : {}),
        ...(options.subresource ? { subresource: options.subresource } : {}),
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      },
    },
    ...(hint ? { hint } : {}),
  };
}

/** Groups the apiserver adds when impersonating (`--as`), as its impersonation filter does. */
export function impersonatedGroups(user: string, groups: readonly string[]): string[] {
  const result = [...groups];
  const account = /^system:serviceaccount:([^:]+):[^:]+$/.exec(user);
  if (account && groups.length === 0)
    result.push('system:serviceaccounts', `system:serviceaccounts:${account[1]}`);
  if (user === 'system:anonymous') {
    if (!result.includes('system:unauthenticated')) result.push('system:unauthenticated');
  } else if (!result.includes('system:authenticated') && !result.includes('system:unauthenticated')) {
    result.push('system:authenticated');
  }
  return result;
}
