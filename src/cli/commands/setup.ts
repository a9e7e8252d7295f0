import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { listFlows } from '../../access/index.js';
import { eksMappingInstructions } from '../../clusters/providers/eks/index.js';
import { AppError } from '../../errors.js';
import type { CommandContext, Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { registerCloudSetup } from './setup-cloud.js';

const managed = { 'app.kubernetes.io/managed-by': 'gatehouse' };
const collect = (value: string, previous: string[]) => [...previous, value];

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
    description:
      'Access inventory: read identities, RBAC, aws-auth and which service account each pod runs as',
    rules: [
      { apiGroups: [''], resources: ['namespaces', 'serviceaccounts', 'pods'], verbs: ['list'] },
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
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'], verbs: ['get', 'update'] },
    ],
  },
  reviews: {
    description:
      'Access reviews: take a revoked subject out of its binding (or delete the binding) and out of aws-auth, then prove it gone with SubjectAccessReview',
    rules: [
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['rolebindings', 'clusterrolebindings'],
        verbs: ['get', 'update', 'delete'],
      },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'], verbs: ['get', 'update'] },
    ],
  },
};

/** access: the Role in the credential namespace (per-request ServiceAccounts and their tokens). */
export const credentialRoleRules: readonly object[] = [
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list', 'create', 'delete'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
];

export interface RbacOptions {
  /**
   * access: the only roles Gatehouse may bind (what the flows offer); bind on others stays refused.
   * reviews: the roles whose bindings Gatehouse may rewrite to take one subject out (Kubernetes
   * asks for bind on the role to update a binding); without them it can only delete a binding
   * whose last subject is revoked, and says so on the item.
   */
  readonly bindable?: readonly string[];
  /** access: where credential-mode ServiceAccounts live; their rights are confined to it. */
  readonly credentialNamespace?: string;
}

const rbacGroup = 'rbac.authorization.k8s.io';

/**
 * The RBAC of one capability for the user (and group) Gatehouse runs as. For access, `bind` is
 * limited to the roles the flows offer (so Gatehouse cannot hand out cluster-admin), and the
 * ServiceAccount rights live in a Role of the credential namespace only.
 */
export function rbacDocuments(capability: string, user: string, options: RbacOptions = {}): object[] {
  const role = capabilityRoles[capability];
  if (!role)
    throw new AppError('input.invalid', `unknown capability "${capability}"`, {
      fix: `Use one of ${Object.keys(capabilityRoles).join(', ')}`,
    });
  const name = `gatehouse-${capability}`;
  const subjects = [
    { kind: 'User', apiGroup: rbacGroup, name: user },
    { kind: 'Group', apiGroup: rbacGroup, name: `gatehouse:${capability}` },
  ];
  const access = capability === 'access';
  if (access && !options.bindable?.length)
    throw new AppError('input.invalid', 'the access role must name the roles Gatehouse may bind', {
      fix: 'Apply your flows first (gatehouse access flows apply -f FILE), or pass --bindable ROLE for each role the flows offer',
    });
  const bind =
    access || (capability === 'reviews' && options.bindable?.length)
      ? [
          {
            apiGroups: [rbacGroup],
            resources: ['roles', 'clusterroles'],
            verbs: ['bind'],
            resourceNames: [...new Set(options.bindable)].sort(),
          },
        ]
      : [];
  const documents: object[] = [
    {
      apiVersion: `${rbacGroup}/v1`,
      kind: 'ClusterRole',
      metadata: { name, labels: managed, annotations: { 'gatehouse.dev/purpose': role.description } },
      rules: [...role.rules, ...bind],
    },
    {
      apiVersion: `${rbacGroup}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: managed },
      roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name },
      subjects,
    },
  ];
  if (!access) return documents;
  const namespace = options.credentialNamespace ?? 'gatehouse-access';
  return [
    ...documents,
    {
      apiVersion: `${rbacGroup}/v1`,
      kind: 'Role',
      metadata: { name: `${name}-credentials`, namespace, labels: managed },
      rules: credentialRoleRules,
    },
    {
      apiVersion: `${rbacGroup}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `${name}-credentials`, namespace, labels: managed },
      roleRef: { apiGroup: rbacGroup, kind: 'Role', name: `${name}-credentials` },
      subjects,
    },
  ];
}

/** Roles the access role may bind: --bindable, else every role the stored flows offer. */
export async function bindableRoles(context: CommandContext, bindable: readonly string[]): Promise<string[]> {
  if (bindable.length > 0) return [...bindable];
  const flows = await withStore(context, listFlows);
  return flows.flatMap((flow) =>
    flow.roles.filter((role) => role.kind !== 'AccessPolicy').map((role) => role.name),
  );
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
    .option(
      '--bindable <role>',
      'access: a role Gatehouse may bind (repeatable; default: the roles of the stored flows); reviews: a role whose bindings it may rewrite (default: none, so it can only delete bindings whose last subject is revoked)',
      collect,
      [],
    )
    .option(
      '--credential-namespace <ns>',
      'access: namespace of credential-mode ServiceAccounts',
      'gatehouse-access',
    )
    .description('ClusterRole and ClusterRoleBinding for a capability, and the EKS identity mapping')
    .action(
      (
        capability: string,
        flags: {
          user: string;
          roleArn?: string;
          cluster: string;
          bindable: string[];
          credentialNamespace: string;
        },
      ) =>
        run(async (context) => {
          const documents = rbacDocuments(capability, flags.user, {
            bindable:
              capability === 'access'
                ? await bindableRoles(context, flags.bindable)
                : capability === 'reviews'
                  ? flags.bindable
                  : [],
            credentialNamespace: flags.credentialNamespace,
          });
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
