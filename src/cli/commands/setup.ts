import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { eksMappingInstructions } from '../../clusters/providers/eks/index.js';
import { AppError } from '../../errors.js';
import type { Runner } from '../context.js';
import { registerCloudSetup } from './setup-cloud.js';

const managed = { 'app.kubernetes.io/managed-by': 'gatehouse' };

/** The least-privilege in-cluster RBAC each capability asks for. */
export const capabilityRoles: Record<string, { description: string; rules: object[] }> = {
  forensics: {
    description:
      'Forensic acquisition: read pods, logs and events; exec the collector; add ephemeral debug containers',
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['events'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
      { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
    ],
  },
  inventory: {
    description: 'Access inventory: read identities, RBAC and aws-auth',
    rules: [
      { apiGroups: [''], resources: ['namespaces', 'serviceaccounts'], verbs: ['list'] },
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'],
        verbs: ['list'],
      },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'], verbs: ['get'] },
    ],
  },
  access: {
    description:
      'Just-in-time access: manage the bindings it owns, per-request ServiceAccounts and their tokens, and its aws-auth entries',
    rules: [
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['rolebindings', 'clusterrolebindings'],
        verbs: ['get', 'list', 'create', 'patch', 'delete'],
      },
      // Lets Gatehouse bind roles it does not hold itself; narrow with resourceNames to the roles your flows offer.
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: ['bind'] },
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'create', 'delete'] },
      { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'], verbs: ['get', 'update'] },
    ],
  },
};

/** The ClusterRole and ClusterRoleBinding of one capability, for the user (and group) Gatehouse runs as. */
export function rbacDocuments(capability: string, user: string): object[] {
  const role = capabilityRoles[capability];
  if (!role)
    throw new AppError('input.invalid', `unknown capability "${capability}"`, {
      fix: `Use one of ${Object.keys(capabilityRoles).join(', ')}`,
    });
  const name = `gatehouse-${capability}`;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels: managed, annotations: { 'gatehouse.dev/purpose': role.description } },
      rules: role.rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: managed },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `gatehouse:${capability}` },
      ],
    },
  ];
}

export function registerSetup(program: Command, run: Runner): void {
  const setup = program.command('setup').description('Print what Gatehouse needs granted, least privilege');
  setup
    .command('rbac')
    .argument('<capability>', Object.keys(capabilityRoles).join(' | '))
    .option('--user <name>', 'the Kubernetes user Gatehouse runs as', 'gatehouse')
    .option(
      '--role-arn <arn>',
      'EKS: the IAM role Gatehouse uses (prints the aws-auth entry and eksctl command)',
    )
    .option('--cluster <name>', 'EKS cluster name for the eksctl command', 'CLUSTER')
    .description('ClusterRole and ClusterRoleBinding for a capability, and the EKS identity mapping')
    .action((capability: string, flags: { user: string; roleArn?: string; cluster: string }) =>
      run(async (context) => {
        const documents = rbacDocuments(capability, flags.user);
        context.stdout(
          context.output === 'json'
            ? `${JSON.stringify(documents, null, 2)}\n`
            : documents.map((document) => toYaml(document)).join('---\n'),
        );
        if (flags.roleArn && context.output !== 'json') {
          const lines = eksMappingInstructions({
            principalArn: flags.roleArn,
            cluster: flags.cluster,
            username: flags.user,
            groups: [`gatehouse:${capability}`],
          });
          context.stdout(
            `\n# EKS: map the IAM role to that user and group:\n${lines.map((line) => `#   ${line}`).join('\n')}\n`,
          );
        }
        return 0;
      }),
    );
  registerCloudSetup(setup, run);
}
