import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { listFlows } from '../../access/index.js';
import { azureRoleDefinition } from '../../clusters/providers/aks/index.js';
import {
  awsSetupDocuments,
  type Capability,
  eksMappingInstructions,
} from '../../clusters/providers/eks/index.js';
import { gcpRoles } from '../../clusters/providers/gke/index.js';
import { AppError } from '../../errors.js';
import type { CommandContext, Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { bindableRoles, rbacDocuments } from './setup.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The IAM principals the access policy may grant to: --principal-pattern, else the flows' templates. */
async function principalPatterns(
  context: CommandContext,
  flags: { for: string; principalPattern: string[] },
): Promise<string[]> {
  if (flags.for !== 'access' || flags.principalPattern.length > 0) return flags.principalPattern;
  const flows = await withStore(context, listFlows);
  return flows.flatMap((flow) =>
    flow.principalArnTemplate ? [flow.principalArnTemplate.replaceAll('{user}', '*')] : [],
  );
}

/** The access role needs the bindable roles; other capabilities bind nothing. */
async function accessBindable(
  context: CommandContext,
  flags: { for: string; bindable: string[] },
): Promise<string[]> {
  return flags.for === 'access' ? await bindableRoles(context, flags.bindable) : [];
}

const capabilities: readonly Capability[] = ['forensics', 'inventory', 'access'];

function capabilityOf(value: string): Capability {
  if ((capabilities as readonly string[]).includes(value)) return value as Capability;
  throw new AppError('input.invalid', `unknown capability "${value}"`, {
    fix: `Use --for ${capabilities.join('|')}`,
  });
}

/** JSON and YAML print the whole document; the default output is a walk-through with the same content. */
function print(context: CommandContext, document: Record<string, unknown>, walkThrough: () => string): void {
  if (context.output === 'json') context.stdout(`${JSON.stringify(document, null, 2)}\n`);
  else if (context.output === 'yaml') context.stdout(toYaml(document));
  else context.stdout(walkThrough());
}

interface AwsFlags {
  readonly for: string;
  readonly principalPattern?: readonly string[];
  readonly bindable?: readonly string[];
  readonly externalId?: string;
  readonly trustedPrincipal?: string;
  readonly roleName?: string;
  readonly accessPolicy?: string[];
}

function awsSetup(context: CommandContext, flags: AwsFlags): number {
  const capability = capabilityOf(flags.for);
  // A fresh random external ID unless one is given: it must not be guessable by other tenants.
  const externalId = flags.externalId ?? randomBytes(16).toString('hex');
  const roleName = flags.roleName ?? `gatehouse-${capability}`;
  const { policy, trustPolicy } = awsSetupDocuments({
    for: capability,
    externalId,
    ...(flags.trustedPrincipal ? { trustedPrincipal: flags.trustedPrincipal } : {}),
    ...(flags.accessPolicy?.length ? { accessPolicies: flags.accessPolicy } : {}),
    ...(capability === 'access' ? { principalPatterns: flags.principalPattern ?? [] } : {}),
  });
  const roleArn = `arn:aws:iam::ACCOUNT_ID:role/${roleName}`;
  const commands = [
    `aws iam create-role --role-name ${roleName} --assume-role-policy-document file://trust-policy.json`,
    `aws iam put-role-policy --role-name ${roleName} --policy-name gatehouse-${capability} --policy-document file://policy.json`,
    `gatehouse providers add aws --role-arn ${roleArn} --external-id ${externalId} --regions REGION[,REGION…]`,
  ];
  const mapping = eksMappingInstructions({
    principalArn: roleArn,
    cluster: 'CLUSTER',
    region: 'REGION',
    username: 'gatehouse',
    groups: [],
  });
  const rbac = rbacDocuments(capability, 'gatehouse', { bindable: flags.bindable ?? [] });
  const document = {
    apiVersion: 'gatehouse.dev/v1alpha1',
    kind: 'AwsSetup',
    capability,
    roleName,
    externalId,
    policy,
    trustPolicy,
    commands,
    eksMapping: mapping,
    kubernetesRbac: rbac,
  };
  print(context, document, () =>
    [
      `# Gatehouse on AWS, least privilege for ${capability}`,
      '',
      '## 1. policy.json: what the role may do',
      JSON.stringify(policy, null, 2),
      '',
      `## 2. trust-policy.json: who may assume it (external ID ${externalId}; keep it, Gatehouse sends it)`,
      JSON.stringify(trustPolicy, null, 2),
      '',
      '## 3. create the role and register the account',
      ...commands,
      '',
      '## 4. in each EKS cluster: let the role in as the user gatehouse',
      ...mapping,
      '',
      `## 5. in each cluster: what the user gatehouse may do (kubectl apply -f -)`,
      rbac.map((item) => toYaml(item)).join('---\n'),
    ].join('\n'),
  );
  return 0;
}

function gcpSetup(
  context: CommandContext,
  flags: { for: string; project: string; member?: string; bindable?: readonly string[] },
): number {
  const capability = capabilityOf(flags.for);
  const roles = gcpRoles({
    for: capability,
    project: flags.project,
    ...(flags.member ? { member: flags.member } : {}),
  });
  // GKE authenticates a Google identity to Kubernetes as its email address.
  const member = flags.member ?? `serviceAccount:gatehouse@${flags.project}.iam.gserviceaccount.com`;
  const rbac = rbacDocuments(capability, member.replace(/^(serviceAccount|user|group):/, ''), {
    bindable: flags.bindable ?? [],
  });
  const document = { apiVersion: 'gatehouse.dev/v1alpha1', kind: 'GcpSetup', ...roles, kubernetesRbac: rbac };
  print(context, document, () =>
    [
      `# Gatehouse on Google Cloud, least privilege for ${capability} in ${flags.project}`,
      '',
      '## 1. the custom role (or, broader, the predefined role)',
      JSON.stringify(roles.customRole, null, 2),
      ...roles.predefinedRoles.map((role) => `# predefined alternative: ${role.role}: ${role.why}`),
      '',
      '## 2. create and bind it',
      ...roles.commands,
      ...roles.notes.map((note) => `# ${note}`),
      '',
      '## 3. in each cluster: what Gatehouse may do (kubectl apply -f -)',
      rbac.map((item) => toYaml(item)).join('---\n'),
    ].join('\n'),
  );
  return 0;
}

interface AzureFlags {
  readonly for: string;
  readonly private?: boolean;
  readonly bindable?: readonly string[];
  readonly subscription: string;
  readonly resourceGroup?: string;
  readonly admin?: boolean;
  readonly principal?: string;
}

function azureSetup(context: CommandContext, flags: AzureFlags): number {
  const capability = capabilityOf(flags.for);
  const role = azureRoleDefinition({
    for: capability,
    subscription: flags.subscription,
    ...(flags.resourceGroup ? { resourceGroup: flags.resourceGroup } : {}),
    ...(flags.admin ? { admin: true } : {}),
    ...(flags.private ? { privateClusters: true } : {}),
  });
  const scope = `/subscriptions/${flags.subscription}${flags.resourceGroup ? `/resourceGroups/${flags.resourceGroup}` : ''}`;
  const assignee = flags.principal ?? 'GATEHOUSE_PRINCIPAL_ID';
  const commands = [
    'az role definition create --role-definition @gatehouse-role.json',
    `az role assignment create --assignee ${assignee} --role "${(role as { Name: string }).Name}" --scope ${scope}`,
    `gatehouse providers add azure --subscriptions ${flags.subscription}${flags.resourceGroup ? ` --resource-group ${flags.resourceGroup}` : ''}`,
  ];
  // With Entra ID clusters the identity reaches Kubernetes by its object ID; local-account clusters need no mapping.
  const rbac = rbacDocuments(capability, assignee, { bindable: flags.bindable ?? [] });
  const document = {
    apiVersion: 'gatehouse.dev/v1alpha1',
    kind: 'AzureSetup',
    capability,
    roleDefinition: role,
    commands,
    kubernetesRbac: rbac,
  };
  print(context, document, () =>
    [
      `# Gatehouse on Azure, least privilege for ${capability}`,
      '',
      '## 1. gatehouse-role.json: the custom role definition',
      JSON.stringify(role, null, 2),
      '',
      '## 2. create it, assign it to the identity Gatehouse runs as, register the subscription',
      ...commands,
      '',
      '## 3. in each cluster (Entra ID clusters: the identity is named by its object ID): kubectl apply -f -',
      rbac.map((item) => toYaml(item)).join('---\n'),
    ].join('\n'),
  );
  return 0;
}

export function registerCloudSetup(setup: Command, run: Runner): void {
  setup
    .command('azure')
    .description('Azure custom role definition, az commands and in-cluster RBAC for one capability')
    .requiredOption('--for <capability>', capabilities.join(' | '))
    .requiredOption('--subscription <id>', 'the subscription whose AKS clusters Gatehouse reads')
    .option('--resource-group <name>', 'scope the role to one resource group')
    .option('--admin', 'also allow cluster admin credentials (local accounts)')
    .option('--private', 'private clusters: allow run command, through which Gatehouse then reaches them')
    .option('--principal <objectId>', 'object ID of the identity Gatehouse runs as')
    .option(
      '--bindable <role>',
      'access: a role Gatehouse may bind (repeatable; default: the roles of the stored flows)',
      collect,
      [],
    )
    .action((flags: AzureFlags & { bindable: string[] }) =>
      run(async (context) =>
        azureSetup(context, { ...flags, bindable: await accessBindable(context, flags) }),
      ),
    );
  setup
    .command('gcp')
    .description(
      'Custom IAM role (or predefined role), gcloud commands and in-cluster RBAC for one capability',
    )
    .requiredOption('--for <capability>', capabilities.join(' | '))
    .requiredOption('--project <id>', 'the project whose clusters Gatehouse reads')
    .option('--member <member>', 'who Gatehouse runs as: serviceAccount:…, user:… or group:…')
    .option(
      '--bindable <role>',
      'access: a role Gatehouse may bind (repeatable; default: the roles of the stored flows)',
      collect,
      [],
    )
    .action((flags: { for: string; project: string; member?: string; bindable: string[] }) =>
      run(async (context) => gcpSetup(context, { ...flags, bindable: await accessBindable(context, flags) })),
    );
  setup
    .command('aws')
    .description(
      'IAM policy, trust policy with external ID, EKS mapping and in-cluster RBAC for one capability',
    )
    .requiredOption('--for <capability>', capabilities.join(' | '))
    .option('--external-id <id>', 'external ID for the trust policy (default: a new random one)')
    .option('--trusted-principal <arn>', 'the account or role Gatehouse runs as (trust policy principal)')
    .option('--role-name <name>', 'name of the IAM role (default gatehouse-<capability>)')
    .option(
      '--access-policy <arn>',
      'access: an EKS access policy Gatehouse may associate (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--bindable <role>',
      'access: a role Gatehouse may bind (repeatable; default: the roles of the stored flows)',
      collect,
      [],
    )
    .option(
      '--principal-pattern <arn>',
      'access: IAM principals Gatehouse may grant to, with * (repeatable; default: from the stored flows)',
      collect,
      [],
    )
    .action((flags: AwsFlags & { bindable: string[]; principalPattern: string[] }) =>
      run(async (context) =>
        awsSetup(context, {
          ...flags,
          bindable: await accessBindable(context, flags),
          principalPattern: await principalPatterns(context, flags),
        }),
      ),
    );
}
