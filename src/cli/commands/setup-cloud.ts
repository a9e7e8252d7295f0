import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import {
  awsSetupDocuments,
  type Capability,
  eksMappingInstructions,
} from '../../clusters/providers/eks/index.js';
import { AppError } from '../../errors.js';
import type { CommandContext, Runner } from '../context.js';
import { rbacDocuments } from './setup.js';

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
  const rbac = rbacDocuments(capability, 'gatehouse');
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

export function registerCloudSetup(setup: Command, run: Runner): void {
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
    .action((flags: AwsFlags) => run(async (context) => awsSetup(context, flags)));
}
