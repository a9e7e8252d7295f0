import { ask, type Check, core, type ScopedSeverity, writes } from './types.js';

const podControllers: readonly [string, string][] = [
  ['apps', 'deployments'],
  ['apps', 'daemonsets'],
  ['apps', 'statefulsets'],
  ['apps', 'replicasets'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];
const privileged: ScopedSeverity = { cluster: 'critical', kubeSystem: 'critical', namespace: 'medium' };

/** Checks on pods and what they carry: secrets, tokens, code execution, pod templates. */
export const workloadChecks: readonly Check[] = [
  {
    kind: 'requests',
    id: 'read-secrets',
    title: 'can read secrets (list and watch return their contents too)',
    severity: privileged,
    requests: ask(['get', 'list', 'watch'], [core('secrets')]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'write-secrets',
    title: 'can write secrets (a service-account token secret is filled with a token)',
    severity: { ...privileged, namespace: 'low' },
    requests: ask(['create', ...writes], [core('secrets')]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'pod-exec',
    title: 'can run commands in or attach to containers (pods/exec, attach, portforward)',
    severity: privileged,
    requests: ask(['create'], [core('pods', 'exec'), core('pods', 'attach'), core('pods', 'portforward')]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'ephemeral-containers',
    title: 'can add ephemeral containers to running pods (code execution, privileged if allowed)',
    severity: privileged,
    requests: ask(writes, [core('pods', 'ephemeralcontainers')]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'create-workloads',
    title: 'can create pods or workloads (and so mount any service account of the namespace)',
    severity: privileged,
    requests: ask(
      ['create'],
      [
        core('pods'),
        { group: 'batch', resource: 'jobs' },
        ...podControllers.map(([group, resource]) => ({ group, resource })),
      ],
    ),
    otherNames: 'ignore',
  },
  {
    kind: 'requests',
    id: 'modify-workloads',
    title: 'can rewrite pods or pod templates (the same power as creating the workload)',
    severity: privileged,
    // A Job's pod template is immutable, so only pods and the controllers that re-create pods.
    requests: ask(writes, [
      core('pods'),
      ...podControllers.map(([group, resource]) => ({ group, resource })),
    ]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'token-create',
    title: 'can mint service-account tokens (serviceaccounts/token create)',
    severity: privileged,
    requests: ask(['create'], [core('serviceaccounts', 'token')]),
    otherNames: 'lower',
  },
  {
    kind: 'requests',
    id: 'pod-status',
    title: "can rewrite pod status (the IPs and readiness that services' endpoints follow)",
    severity: { cluster: 'low', namespace: 'low' },
    requests: ask(writes, [core('pods', 'status')]),
    otherNames: 'lower',
  },
];
