import { ask, type Check, core, writes } from './types.js';

/** Checks on cluster-wide machinery: kubelets, certificates, admission, storage, nodes, networking. */
export const clusterChecks: readonly Check[] = [
  {
    kind: 'requests',
    id: 'nodes-proxy',
    title:
      'can reach kubelets through nodes/proxy (exec in any pod of the node, bypassing audit and admission)',
    severity: { cluster: 'critical', namespace: 'critical' },
    requests: ask(['get', 'create'], [{ ...core('nodes', 'proxy'), clusterScoped: true }]),
    otherNames: 'lower',
  },
  {
    kind: 'combination',
    id: 'approve-csr',
    title: 'can create and approve client certificates (any user or group, system:masters included)',
    severity: 'critical',
    parts: [
      ask(
        ['create'],
        [{ group: 'certificates.k8s.io', resource: 'certificatesigningrequests', clusterScoped: true }],
      ),
      ask(writes, [
        {
          group: 'certificates.k8s.io',
          resource: 'certificatesigningrequests',
          subresource: 'approval',
          clusterScoped: true,
        },
      ]),
      // The approval plugin asks for the signer by name and by its domain wildcard.
      ask(
        ['approve'],
        [
          {
            group: 'certificates.k8s.io',
            resource: 'signers',
            clusterScoped: true,
            dangerousNames: ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/*'],
          },
        ],
      ),
    ],
  },
  {
    kind: 'requests',
    id: 'admission-webhooks',
    title: 'can configure admission webhooks (read every admitted object; mutating ones rewrite them)',
    severity: { cluster: 'high', namespace: 'high' },
    requests: ask(
      ['create', ...writes],
      ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'].map((resource) => ({
        group: 'admissionregistration.k8s.io',
        resource,
        clusterScoped: true,
      })),
    ),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'create-persistentvolumes',
    title: 'can create PersistentVolumes (hostPath: the node filesystem)',
    severity: { cluster: 'high', namespace: 'high' },
    requests: ask(['create'], [{ ...core('persistentvolumes'), clusterScoped: true }]),
    otherNames: 'ignore',
  },
  {
    kind: 'requests',
    id: 'patch-namespaces',
    title: 'can relabel namespaces (lift pod security enforcement, match network policies)',
    severity: { cluster: 'high', kubeSystem: 'high', namespace: 'medium' },
    // A namespace is authorized in itself, so a RoleBinding reaches its own namespace object.
    requests: ask(writes, [core('namespaces')]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'service-status',
    title: 'can set services/status (load-balancer IPs: intercept traffic, CVE-2020-8554)',
    severity: { cluster: 'medium', namespace: 'medium' },
    requests: ask(writes, [core('services', 'status')]),
    otherNames: 'lower',
  },
  {
    kind: 'combination',
    id: 'steal-pods',
    title:
      'can remove kube-system pods and keep nodes from taking them (moves powerful pods to a chosen node)',
    severity: 'high',
    parts: [
      // Ways to remove a pod: delete or evict it, relabel it away from its controller, fail its
      // status, delete its node or taint the node NoExecute.
      [
        ...ask(['delete'], [{ ...core('pods'), namespace: 'kube-system' }]),
        ...ask(['create'], [{ ...core('pods', 'eviction'), namespace: 'kube-system' }]),
        ...ask(writes, [
          { ...core('pods'), namespace: 'kube-system' },
          { ...core('pods', 'status'), namespace: 'kube-system' },
        ]),
        ...ask(['delete', ...writes], [{ ...core('nodes'), clusterScoped: true }]),
      ],
      // Ways to keep the other nodes from taking them: cordon or taint them.
      ask(writes, [
        { ...core('nodes'), clusterScoped: true },
        { ...core('nodes', 'status'), clusterScoped: true },
      ]),
    ],
  },
  {
    kind: 'requests',
    id: 'delete-all',
    title: 'can delete every resource of a group (wildcard delete)',
    severity: { cluster: 'medium', namespace: 'low' },
    requests: ask(
      ['delete', 'deletecollection'],
      ['', 'apps', 'batch', 'rbac.authorization.k8s.io'].map((group) => ({ group, resource: '*' })),
    ),
    otherNames: 'ignore',
  },
  {
    kind: 'requests',
    id: 'node-status',
    title: 'can rewrite node status (labels and capacity that steer scheduling)',
    severity: { cluster: 'low', namespace: 'low' },
    requests: ask(writes, [{ ...core('nodes', 'status'), clusterScoped: true }]),
    otherNames: 'lower',
  },
];
